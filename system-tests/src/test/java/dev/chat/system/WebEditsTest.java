package dev.chat.system;

import static dev.chat.system.ChatPage.docs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * Edits, deletes, every device in sync and seen receipts on the web page (issue 18): alice on two devices (two
 * headless Chromium browsers) and bob, through HAProxy's front end of the whole local stack. It saves
 * {@code docs/page-delivered-detail.png} and {@code docs/page-seen-detail.png} (alice's message on her laptop before
 * and after bob opens the conversation, enlarged) and {@code docs/page-edits.png}, shown in the README.
 */
@ResourceLock(Lanes.SHARED_STACK)
class WebEditsTest {
    private static LocalStack stack;

    @BeforeAll
    static void up() {
        stack = LocalStack.shared();
    }

    @Test
    void anEditAndADeleteShowLiveOnEveryDeviceAndReadingOnOneClearsTheOthers() {
        String alice = ChatPage.person(stack, "alicee");
        String bob = ChatPage.person(stack, "bobby");
        try (WebBrowser laptop = WebBrowser.open("alice-laptop", WebBrowser.DESKTOP);
                WebBrowser phone = WebBrowser.open("alice-phone", WebBrowser.DESKTOP);
                WebBrowser bb = WebBrowser.open("bob-edits", WebBrowser.DESKTOP)) {
            ChatPage a = ChatPage.signedIn(laptop, stack, alice);
            ChatPage p = ChatPage.signedIn(phone, stack, alice);
            ChatPage b = ChatPage.signedIn(bb, stack, bob);

            a.startConversationWith(bob, bob.substring(0, 4));
            String first = "See you at 5";
            a.send(first);
            a.awaitState(first, "delivered");
            laptop.js("document.activeElement && document.activeElement.blur();");
            laptop.screenshotOf(docs("page-delivered-detail.png"), ownMessage(a, first), 12, 2);
            // alice's phone shows her own send live, without a reload.
            phone.waitFor("alice's send on her phone", () -> ("You: " + first).equals(p.preview(bob)));

            // bob opens the conversation: alice's laptop shows her message seen.
            b.openConversation(alice);
            b.awaitMessage(first);
            laptop.waitFor("alice's message shown seen", () -> (Boolean) laptop.js("return [...document.querySelectorAll("
                    + "'#messages li.msg[data-seen=\"true\"]')].some(li => li.querySelector('.bubble').lastChild"
                    + ".textContent === arguments[0]);", first));
            assertEquals("Seen", laptop.js("return arguments[0].querySelector('.tick').title;", ownMessage(a, first)),
                    "the ticks say it");
            laptop.screenshotOf(docs("page-seen-detail.png"), ownMessage(a, first), 12, 2);

            // alice edits it; bob sees the new text, marked edited, live.
            String second = "See you at 6";
            editOwn(a, first, second);
            b.awaitMessage(second);
            bb.waitFor("the edited mark on bob's page", () -> (Boolean) bb.js("return [...document.querySelectorAll("
                    + "'#messages li.msg.edited')].some(li => li.querySelector('.edited-mark'));"));
            assertEquals(0, b.count(first), "the old text is gone: " + b.messages());
            phone.waitFor("the edit in the phone's preview", () -> ("You: " + second).equals(p.preview(bob)));

            // bob replies while alice reads on her laptop: her phone's unread count clears too.
            String reply = "Works for me";
            b.send(reply);
            a.awaitMessage(reply);
            phone.waitFor("bob's reply in the phone's list", () -> reply.equals(p.preview(bob)));
            phone.waitFor("the phone's unread count cleared by the laptop's reading", () -> p.unread(bob) == 0);

            // alice deletes her message: bob sees the placeholder.
            String shown = "Message deleted";
            clickAction(a, second, "delete");
            b.awaitMessage(shown);
            assertEquals(0, b.count(second), "the deleted text is gone: " + b.messages());
            bb.js("document.activeElement && document.activeElement.blur();");
            bb.screenshot(docs("page-edits.png"));

            // After a reload, history shows the same: the change, not the message twice.
            b.reload();
            b.awaitConnected();
            b.openConversation(alice);
            b.awaitMessage(shown);
            b.awaitMessage(reply);
            assertEquals(2, b.messages().size(), "one deleted message and the reply: " + b.messages());
            assertEquals(List.of("Today"), bb.js("return [...document.querySelectorAll('#messages li.date-separator')]"
                    + ".map(li => li.textContent);"), "one date line before the day's first message");
        }
    }

    /** The list item of the own message showing {@code body}. */
    private static WebElement ownMessage(ChatPage page, String body) {
        return (WebElement) page.browser.js("return [...document.querySelectorAll('#messages li.msg')].find(li =>"
                + " li.querySelector('.bubble').lastChild.textContent === arguments[0]);", body);
    }

    /** Clicks Edit on the own message showing {@code body}, replaces its text in the composer and sends. */
    private static void editOwn(ChatPage page, String body, String newBody) {
        clickAction(page, body, "edit");
        WebElement input = page.browser.driver().findElement(By.id("composer-input"));
        page.browser.waitFor("the message's text in the composer", () -> body.equals(input.getAttribute("value")));
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        page.send(newBody);
        page.awaitMessage(newBody);
    }

    private static void clickAction(ChatPage page, String body, String action) {
        String id = page.browser.waitFor("the message '" + body + "'", () -> page.messages().stream()
                .filter(m -> body.equals(m.get("body"))).map(m -> m.get("id")).findFirst().orElse(null));
        page.clickWhenThere(By.cssSelector("#messages li.msg[data-id='" + id + "'] .msg-action." + action));
    }
}
