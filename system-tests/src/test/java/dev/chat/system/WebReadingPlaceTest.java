package dev.chat.system;

import static dev.chat.system.ChatPage.docs;
import static dev.chat.testing.ChatClient.frame;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.testing.ChatClient;

/**
 * Where a person left off, on the web page (issue 18's page niceties), in headless Chromium through HAProxy of the
 * shared local stack; kim is a plain socket client. jo reads a long conversation, goes away, and comes back to three
 * new messages: the page opens it with an "Unread messages" divider before the first of them and a date line before
 * the day's first message; scrolled up, a new message shows "Jump to the newest" instead of moving the view, and the
 * button brings the newest into view and goes. Saves {@code docs/page-unread.png}, shown in the README.
 */
@ResourceLock(Lanes.SHARED_STACK)
class WebReadingPlaceTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int EARLIER = 25;

    private static LocalStack stack;

    @BeforeAll
    static void up() {
        stack = LocalStack.shared();
    }

    @Test
    void anUnreadDividerWhereThePersonLeftOffADateLineAndAJumpToTheNewest() {
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 6);
        String jo = ChatPage.person(stack, "rjo_" + run);
        String kim = ChatPage.person(stack, "rkim_" + run);
        String joToken = Accounts.login(stack, jo, ChatPage.passwordOf(jo));
        List<String> fresh = List.of("Are we still on for Friday?", "I booked the table for 8", "Bring the slides too");
        try (ChatClient k = ChatClient.connect(URI.create(stack.wsUrl()), Accounts.login(stack, kim,
                ChatPage.passwordOf(kim)))) {
            for (int i = 1; i <= EARLIER; i++) {
                sendTo(k, jo, "Earlier line " + i);
            }
            // jo reads all of it, then leaves.
            try (WebBrowser first = WebBrowser.open("jo-before", WebBrowser.DESKTOP)) {
                ChatPage p = ChatPage.signedIn(first, stack, jo);
                p.openConversation(kim);
                p.awaitMessage("Earlier line " + EARLIER);
                first.waitFor("everything read on the server", () -> unreadOnServer(joToken, kim) == 0);
                assertEquals("Earlier line 1", dividerBefore(first), "all of it was unread");
            }
            for (String m : fresh) {
                sendTo(k, jo, m);
            }

            try (WebBrowser b = WebBrowser.open("jo-back", WebBrowser.DESKTOP)) {
                ChatPage p = ChatPage.signedIn(b, stack, jo);
                b.waitFor("three unread from kim", () -> p.unread(kim) == 3);
                p.openConversation(kim);
                p.awaitMessage(fresh.get(fresh.size() - 1));
                // The divider stands once, right before the first message jo had not read.
                assertEquals(List.of("Unread messages"), b.js("return [...document.querySelectorAll("
                        + "'#messages li.unread-divider')].map(li => li.textContent);"));
                assertEquals(fresh.get(0), dividerBefore(b), "the first unread after it");
                // One date line, before the day's first message (every message here is from today).
                assertEquals(List.of("Today"), b.js("return [...document.querySelectorAll('#messages li.date-separator')]"
                        + ".map(li => li.textContent);"));
                assertEquals(Boolean.TRUE, b.js("const f = document.querySelector('#messages').firstElementChild;"
                        + " return f.classList.contains('date-separator');"), "the date line comes first");

                // Scrolled up a little (the divider still in view): a new message does not move the view.
                assertEquals(Boolean.TRUE, b.js("return document.getElementById('jump-newest').hidden;"));
                b.js("const s = document.getElementById('scroller'); s.scrollTop = s.scrollHeight - s.clientHeight - 150;");
                b.waitFor("scrolled up", () -> (Boolean) b.js("const s = document.getElementById('scroller');"
                        + " return s.scrollHeight - s.scrollTop - s.clientHeight >= 140;"));
                Object top = b.js("return Math.round(document.getElementById('scroller').scrollTop);");
                String last = "Also: the venue changed";
                sendTo(k, jo, last);
                p.awaitMessage(last);
                b.waitFor("the jump button shown", () -> Boolean.FALSE.equals(
                        b.js("return document.getElementById('jump-newest').hidden;")));
                assertEquals(Boolean.TRUE, b.js("return Math.abs(document.getElementById('scroller').scrollTop - arguments[0])"
                        + " <= 2;", top), "the view stayed put");
                // Where jo left off does not move with what comes after.
                assertEquals(fresh.get(0), dividerBefore(b), "the divider stays before the first unread");
                b.js("document.activeElement && document.activeElement.blur();");
                b.screenshot(docs("page-unread.png"));

                p.click("jump-newest");
                b.waitFor("the newest in view and the button gone", () -> (Boolean) b.js(
                        "const s = document.getElementById('scroller');"
                        + " return document.getElementById('jump-newest').hidden"
                        + " && s.scrollHeight - s.scrollTop - s.clientHeight < 120;"));
                assertEquals(1L, p.count(last), "shown once");
            }
        }
    }

    /** The text of the message right after the unread divider (null when there is none). */
    private static Object dividerBefore(WebBrowser b) {
        return b.js("const d = document.querySelector('#messages li.unread-divider'); const n = d && d.nextElementSibling;"
                + " return n && n.classList.contains('msg') ? n.querySelector('.bubble').lastChild.textContent : null;");
    }

    private static int unreadOnServer(String token, String peer) {
        List<Map<String, Object>> list = given().baseUri(stack.baseUrl()).auth().oauth2(token)
                .get("/api/conversations").then().statusCode(200).extract().jsonPath().getList("$");
        return list.stream().filter(c -> peer.equals(c.get("with"))).map(c -> ((Number) c.get("unread")).intValue())
                .findFirst().orElse(-1);
    }

    private static void sendTo(ChatClient c, String to, String body) {
        String id = "r-" + UUID.randomUUID();
        c.sendMessage(id, to, body);
        c.await(frame("ack", id), WAIT);
    }
}
