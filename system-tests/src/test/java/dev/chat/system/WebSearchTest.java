package dev.chat.system;

import static dev.chat.system.ChatPage.docs;
import static dev.chat.system.ChatPage.person;
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
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

import dev.chat.testing.ChatClient;
import io.restassured.http.ContentType;

/**
 * Search on the web page (issue 18): bob types a word into "Search messages", gets the one hit he may read (not carol's
 * message to dave with the same word), named by alice's display name, clicks it, and the page opens his conversation
 * with alice at that message, loading older pages of history until it is there. Through HAProxy's front end of the whole local stack; saves
 * {@code docs/page-search.png}, shown in the README.
 */
@ResourceLock(Lanes.SHARED_STACK)
class WebSearchTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** More than a page of the page's history (30), so that the hit is on an older page than the one opened first. */
    private static final int NEWER = 40;

    private static LocalStack stack;

    @BeforeAll
    static void up() {
        stack = LocalStack.shared();
    }

    @Test
    void aHitOpensItsConversationAtTheMessage() {
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 6);
        String alice = person(stack, "alis_" + run);
        String bob = person(stack, "bobs_" + run);
        String carol = person(stack, "cars_" + run);
        String dave = person(stack, "davs_" + run);
        String aliceShown = "Alice S. " + run;
        // A word of this run only (letters: the text-search parser keeps it one word); "recipes" is stemmed.
        String word = "marmalade" + run.chars().mapToObj(c -> String.valueOf((char) ('a' + c % 26)))
                .reduce("", String::concat);
        String found = "Grandma's " + word + " recipes are in the blue folder";
        String foundId;
        String aliceToken = token(alice);
        given().baseUri(stack.baseUrl()).auth().oauth2(aliceToken).contentType(ContentType.JSON)
                .body(Map.of("displayName", aliceShown)).patch("/api/users/me").then().statusCode(200);
        try (ChatClient a = ChatClient.connect(ws(), aliceToken); ChatClient c = ChatClient.connect(ws(), token(carol))) {
            foundId = send(a, bob, found);
            for (int i = 0; i < NEWER; i++) {
                send(a, bob, "later message " + i);
            }
            send(c, dave, "carol's own " + word + " recipe, not for bob");
        }

        try (WebBrowser bb = WebBrowser.open("bob-search", WebBrowser.DESKTOP)) {
            ChatPage b = ChatPage.signedIn(bb, stack, bob);

            WebElement box = bb.driver().findElement(By.id("message-search"));
            box.sendKeys(word + " recipe", Keys.ENTER);
            // Only the message bob may read, named by alice's display name once the page knows it.
            List<?> want = List.of(List.of(foundId, aliceShown, found));
            bb.waitFor("the one hit bob may read, named " + aliceShown, () -> want.equals(bb.js("const l ="
                    + " document.getElementById('message-hits'); return l.hidden ? null :"
                    + " [...l.querySelectorAll('button.hit')].map(b => [b.dataset.id, b.querySelector('.hit-where')"
                    + ".textContent, b.querySelector('.hit-body').textContent]);")));
            bb.screenshot(docs("page-search.png"));

            b.clickWhenThere(By.cssSelector("#message-hits button.hit[data-id='" + foundId + "']"));
            b.awaitOpenConversation(alice);
            bb.waitFor("the found message marked and focused", () -> (Boolean) bb.js("const li = document.querySelector("
                    + "'#messages li.msg[data-id=\"' + arguments[0] + '\"]'); return !!li && li.classList.contains('found')"
                    + " && document.activeElement === li;", foundId));
            assertTrue((Boolean) bb.js("const li = document.querySelector('#messages li.msg[data-id=\"' + arguments[0]"
                    + " + '\"]'); const s = document.getElementById('scroller').getBoundingClientRect();"
                    + " const r = li.getBoundingClientRect(); return r.bottom > s.top && r.top < s.bottom;", foundId),
                    "the found message is scrolled into view");
            assertTrue(b.messages().size() > NEWER, "older pages were loaded to reach it: " + b.messages().size());
        }
    }

    private static String send(ChatClient c, String to, String body) {
        String id = "m-" + UUID.randomUUID();
        c.sendMessage(id, to, body);
        c.await(frame("ack", id), WAIT);
        return id;
    }

    private static URI ws() {
        return URI.create(stack.wsUrl());
    }

    private static String token(String name) {
        return Accounts.login(stack, name, "pw-of-" + name);
    }

}
