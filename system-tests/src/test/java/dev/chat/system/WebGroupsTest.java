package dev.chat.system;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.openqa.selenium.By;

import io.restassured.http.ContentType;

/**
 * Group conversations on the web page: three people in three separate headless Chromium browsers, through
 * HAProxy's front end of the whole local stack. It saves {@code docs/page-group.png} and {@code docs/page-seen-by.png}
 * ("Seen by 1" under alicia's welcome, once bob has read it), shown in the README.
 *
 * <p>The group's owner is "alicia", not "alice": {@link WebPageTest} signs "alice" up through the page and may
 * run after this class on the same stack. bob and carol are made as {@code WebPageTest.Person.named} makes
 * them (same passwords), so either class may run first.
 */
@ResourceLock(Lanes.SHARED_STACK)
class WebGroupsTest {
    private static LocalStack stack;

    @BeforeAll
    static void up() {
        stack = LocalStack.shared();
    }

    @Test
    void aliceMakesAGroupBobRepliesCarolJoinsByInviteLinkAndTypingIsShown() {
        Person alice = Person.named("alicia");
        Person bob = Person.named("bob");
        Person carol = Person.named("carol");
        String group = "Design review";
        try (WebBrowser ab = WebBrowser.open("alicia-group", WebBrowser.DESKTOP);
                WebBrowser bb = WebBrowser.open("bob-group", WebBrowser.DESKTOP);
                WebBrowser cb = WebBrowser.open("carol-group", WebBrowser.DESKTOP)) {
            ChatPage a = signedIn(ab, alice);
            ChatPage b = signedIn(bb, bob);

            // alice creates the group with bob from "New group", and it opens.
            String key = a.createGroup(group, bob.name);
            assertEquals("composer-input", a.focusedId(), "the new group's composer has the focus");
            assertEquals("Message " + group, ab.js("return document.getElementById('composer-input').labels[0].textContent;"));
            assertTrue(a.text("peer-status").contains("2 members"), "the header counts the members: " + a.text("peer-status"));
            String welcome = "Welcome to the design review group!";
            a.send(welcome);
            a.awaitState(welcome, "sent"); // a group message has no delivered state

            // bob, already online, sees the group appear with an unread count and a "from: body" preview.
            bb.waitFor("the group counted unread for bob", () -> b.groupKey(group) != null && b.unread(key) == 1);
            assertEquals(alice.name + ": " + welcome, b.preview(key));
            b.openGroup(group);
            b.awaitMessage(welcome);
            assertEquals(alice.name, b.messages().get(0).get("from"));
            bb.waitFor("the sender's name shown above the message", () -> (Boolean) bb.js(
                    "const s = document.querySelector('#messages li.msg .sender'); return !!s && s.textContent === arguments[0];",
                    alice.name));
            bb.waitFor("the unread badge gone once bob reads", () -> b.unread(key) == 0);
            String reply = "Thanks Alicia, glad to be here.";
            b.send(reply);
            b.awaitState(reply, "sent");
            a.awaitMessage(reply);

            // While alice types (word by word, as a person does), bob sees it; a few seconds after she stops,
            // it goes away. A typing notice is ephemeral (at most once), so alice may need a few words.
            String typing = alice.name + " is typing\u2026";
            String typed = "Carol is joining us today";
            String[] words = typed.split(" ");
            int n = 0;
            boolean seen = false;
            while (n < words.length && !seen) {
                a.type(n == 0 ? words[n] : " " + words[n]);
                n++;
                for (int i = 0; i < 15 && !seen; i++) {
                    seen = typing.equals(b.typing());
                    if (!seen) {
                        ChatThroughProxyTest.pause(100);
                    }
                }
            }
            assertTrue(seen, "bob was told that alice is typing (now '" + b.typing() + "')");
            assertEquals("polite", bb.js("return document.getElementById('typing').getAttribute('aria-live');"));
            bb.waitFor("the typing line gone after alice stopped", () -> b.typing().isEmpty());
            for (; n < words.length; n++) {
                a.type(" " + words[n]);
            }
            a.send("");
            a.awaitMessage(typed);

            // alice makes an invite link; carol, signed in, opens it and is in the group.
            a.openMembers();
            assertEquals(Map.of(alice.name, "owner", bob.name, "member"), a.members());
            String link = a.inviteLink();
            String code = link.substring(link.indexOf("#join=") + "#join=".length());
            assertFalse(code.isEmpty());
            ChatPage c = signedIn(cb, carol);
            c.openAt("/#join=" + code);
            c.awaitOpenConversation(group);
            c.awaitConnected();
            assertEquals("", cb.js("return location.hash;"), "the code is taken out of the address");
            cb.waitFor("carol's history loaded", () -> c.text("history-status").startsWith("This is where you joined"));
            assertEquals(List.of(), c.messages(), "carol sees nothing from before she joined");

            String hello = "Hi all, carol here!";
            c.send(hello);
            c.awaitState(hello, "sent");
            a.awaitMessage(hello);
            b.awaitMessage(hello);
            ab.waitFor("alice's members panel listing carol", () -> "member".equals(a.members().get(carol.name)));
            a.browser.js("document.activeElement && document.activeElement.blur();");
            a.browser.screenshot(docs("page-group.png"));
            // Past the server's redelivery time: still once each.
            ChatThroughProxyTest.pause(6000);
            assertEquals(1, a.count(hello), "carol's message once for alice");
            assertEquals(1, b.count(hello), "carol's message once for bob");
            assertEquals(1, c.count(hello), "carol's message once for herself");
            assertEquals(List.of(hello), c.messages().stream().map(m -> m.get("body")).toList());

            // "Seen by" under alice's first message (groups have no live receipts: it comes with the history, here
            // after a reload): bob read it; carol, whose read mark is past it but who joined after it, is not counted.
            a.reload();
            a.awaitConnected();
            a.openGroup(group);
            ab.waitFor("Seen by 1 under alice's welcome", () -> "Seen by 1".equals(ab.js("const li = [...document"
                    + ".querySelectorAll('#messages li.msg')].find(li => li.querySelector('.bubble').lastChild.textContent"
                    + " === arguments[0]); const s = li && li.querySelector('.seen-by'); return s && s.textContent;",
                    welcome)));
            a.clickWhenThere(By.cssSelector("#messages li.msg .seen-by"));
            ab.waitFor("who: bob", () -> bob.name.equals(ab.js(
                    "const s = document.querySelector('#messages li.msg .seen-by'); return s && s.title;")));
            ab.js("document.activeElement && document.activeElement.blur();");
            a.browser.screenshot(docs("page-seen-by.png"));

            // carol leaves: the group is gone from her list, and alice's panel no longer lists her.
            c.leaveGroup();
            cb.waitFor("the group gone from carol's list", () -> !c.groups().contains(group));
        }
    }

    private static ChatPage signedIn(WebBrowser browser, Person p) {
        ChatPage page = new ChatPage(browser, stack.baseUrl()).open();
        page.signIn(p.name(), p.password());
        page.awaitConnected();
        return page;
    }

    private static Path docs(String file) {
        return LocalStack.projectRoot().resolve("docs").resolve(file);
    }

    /** An account made through the API (idempotent: a second test class may have made it already). */
    record Person(String name, String password) {
        static Person named(String name) {
            String password = "pw-of-" + name;
            int status = given().baseUri(stack.baseUrl()).contentType(ContentType.JSON)
                    .body(Map.of("username", name, "password", password)).post("/api/users").statusCode();
            assertTrue(status == 201 || status == 409, "creating " + name + " answered " + status);
            return new Person(name, password);
        }
    }
}
