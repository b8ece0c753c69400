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
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;

import dev.chat.testing.ChatClient;
import io.restassured.http.ContentType;

/**
 * Display names and notifications on the web page (issues 17 and 18), in one headless Chromium through HAProxy's
 * front end of the shared local stack; bob is a plain socket client with a display name. The page is the real
 * page: the test only grants the notification permission through the driver (as a person clicking "Allow" would)
 * and observes the browser's own {@code Notification} through a recording subclass installed before the page's
 * scripts run. Checked: no permission prompt on load (asked once, at the first send); bob's display name in "Find
 * people" and on his group messages' sender lines; a group message that @mentions alice is highlighted and notified
 * while she reads another conversation (a plain one is not); in a background tab the title counts the unread
 * messages, the favicon shows the count, each message is notified, and coming back to the tab clears the count.
 * Avatars show the initials of display names; a group's change line names the people as shown now (a name that
 * came after the line). Saves {@code docs/page-mention.png}, and {@code docs/page-unread-title.png}: the background
 * tab's title, favicon and notifications as read from the page, drawn by the test (headless Chromium draws neither a
 * tab strip nor system notifications); both shown in the README.
 */
@ResourceLock(Lanes.SHARED_STACK)
class WebNotificationsTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /**
     * Runs before the page's scripts on every load: Notification is replaced by a subclass that records each
     * notification (title, body, tag) and each permission request, then does what the browser's own does.
     */
    private static final String RECORDER = """
            (() => {
              const Real = window.Notification;
              if (!Real) return;
              window.__notified = [];
              window.__permissionAsked = 0;
              window.__icons = [];
              class Recorded extends Real {
                constructor(title, options = {}) {
                  window.__notified.push({title, body: options.body || '', tag: options.tag || ''});
                  super(title, options);
                }
                static get permission() {
                  return Real.permission;
                }
                static requestPermission(...args) {
                  window.__permissionAsked++;
                  return Real.requestPermission(...args);
                }
              }
              window.Notification = Recorded;
              // The favicons the page shows, in order (a background tab's only other sign).
              new MutationObserver(() => {
                const l = document.querySelector('link[rel="icon"]');
                if (l && window.__icons[window.__icons.length - 1] !== l.href) window.__icons.push(l.href);
              }).observe(document, {subtree: true, attributes: true, attributeFilter: ['href']});
            })();
            """;

    private static LocalStack stack;

    @BeforeAll
    static void up() {
        stack = LocalStack.shared();
    }

    @Test
    void namesAsPeopleSeeThemMentionsNotifiedAndAnUnreadCountForABackgroundTab() {
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 6);
        String alice = person(stack, "nala_" + run);
        String bob = person(stack, "nbob_" + run);
        String bobShown = "Bob Builder";
        String bobToken = Accounts.login(stack, bob, ChatPage.passwordOf(bob));
        given().baseUri(stack.baseUrl()).auth().oauth2(bobToken).contentType(ContentType.JSON)
                .body(Map.of("displayName", bobShown)).patch("/api/users/me").then().statusCode(200);
        String aliceToken = Accounts.login(stack, alice, ChatPage.passwordOf(alice));
        given().baseUri(stack.baseUrl()).auth().oauth2(aliceToken)
                .contentType(ContentType.JSON).body(Map.of("displayName", "Alice")).patch("/api/users/me")
                .then().statusCode(200);

        try (WebBrowser ab = WebBrowser.open("alice-notify", WebBrowser.DESKTOP);
                ChatClient b = ChatClient.connect(URI.create(stack.wsUrl()), bobToken)) {
            ab.cdp("Page.enable", Map.of());
            ab.cdp("Page.addScriptToEvaluateOnNewDocument", Map.of("source", RECORDER));
            ChatPage a = ChatPage.signedIn(ab, stack, alice);
            // Nothing asked on load or on signing in.
            assertEquals("default", ab.js("return Notification.permission;"));
            assertEquals(0L, ab.js("return window.__permissionAsked;"), "no permission prompt on load");

            // "Find people": bob's display name, his username under it.
            WebElement search = ab.driver().findElement(By.id("people-search"));
            search.sendKeys(bob);
            String row = "#search-results button[data-user='" + bob + "']";
            ab.waitFor("bob found, shown by his display name", () -> List.of(bobShown, "@" + bob).equals(ab.js(
                    "const b = document.querySelector(arguments[0]); return b && [b.querySelector('.person-name')"
                    + ".textContent, b.querySelector('.person-user').textContent];", row)));
            assertEquals("BB", a.avatarText(row + " .avatar"), "his avatar's initials are his display name's");
            a.clickWhenThere(By.cssSelector(row));
            a.awaitOpenConversation(bob);
            ab.waitFor("bob's display name in the header", () -> bobShown.equals(a.text("peer-name")));
            ab.waitFor("his display name's initials on his avatars in the header and the list",
                    () -> "BB".equals(a.avatarText("#peer-avatar"))
                            && "BB".equals(a.avatarText("#conversation-list li[data-peer='" + bob + "'] .avatar")));

            // The permission is asked once, when alice first sends (she pressed a key: a moment she is engaged).
            a.send("Hi Bob");
            ab.waitFor("the permission asked at the first send", () -> Long.valueOf(1).equals(
                    ab.js("return window.__permissionAsked;")));
            a.send("Are you around today?");
            assertEquals(1L, ab.js("return window.__permissionAsked;"), "asked once, not at every send");
            ab.driver().setPermission("notifications", "granted"); // alice clicked "Allow"
            ab.waitFor("the permission granted", () -> "granted".equals(ab.js("return Notification.permission;")));

            // A group with bob: his messages' sender lines show his display name, his username in their title.
            String group = "Launch " + run;
            String key = a.createGroup(group, bob);
            String groupId = key.substring("g:".length());
            sendToGroup(b, groupId, "Morning all");
            a.awaitMessage("Morning all");
            ab.waitFor("bob's display name on his sender line", () -> List.of(bobShown, "@" + bob).equals(ab.js(
                    "const s = document.querySelector('#messages li.msg[data-from=\"' + arguments[0] + '\"] .sender');"
                    + " return s && [s.textContent, s.title];", bob)));

            // alice reads her conversation with bob, in front: a plain group message is not notified, a mention is.
            a.openConversation(bob);
            String mention = "@" + alice + " can you check the release notes before 3?";
            sendToGroup(b, groupId, "The build is green");
            sendToGroup(b, groupId, mention);
            ab.waitFor("the mention counted unread", () -> a.unread(key) == 2);
            List<?> notified = ab.waitFor("the mention notified", () -> {
                List<?> n = (List<?>) ab.js("return window.__notified.map(n => [n.title, n.body]);");
                return n.isEmpty() ? null : n;
            });
            assertEquals(List.of(List.of(bobShown + " mentioned you in " + group, mention)), notified,
                    "only the mention is notified while alice reads another conversation");
            a.openGroup(group);
            ab.waitFor("the mention highlighted", () -> (Boolean) ab.js("return [...document.querySelectorAll("
                    + "'#messages li.msg.mention')].map(li => li.querySelector('.bubble').lastChild.textContent)"
                    + ".join() === arguments[0];", mention));
            ab.js("document.activeElement && document.activeElement.blur();");
            ab.screenshot(docs("page-mention.png"));

            // carol, whom alice's page never named, is added: the change line names her as shown once her
            // display name comes (it is drawn from who did what, not from words fixed when it came).
            String carol = person(stack, "ncar_" + run);
            given().baseUri(stack.baseUrl()).auth().oauth2(Accounts.login(stack, carol, ChatPage.passwordOf(carol)))
                    .contentType(ContentType.JSON).body(Map.of("displayName", "Carol C.")).patch("/api/users/me")
                    .then().statusCode(200);
            given().baseUri(stack.baseUrl()).auth().oauth2(aliceToken).contentType(ContentType.JSON)
                    .body(Map.of("username", carol)).post("/api/groups/" + groupId + "/members").then().statusCode(201);
            ab.waitFor("the change line naming carol by her display name",
                    () -> a.groupNotices().contains("Alice added Carol C."));

            // alice opens bob's conversation, then another tab: her chat tab is in the background.
            a.openConversation(bob);
            ab.waitFor("no unread left", () -> "Chat".equals(ab.driver().getTitle()));
            String chatTab = ab.driver().getWindowHandle();
            ab.driver().switchTo().newWindow(WindowType.TAB);
            sendTo(b, alice, "Yes, in the office");
            sendTo(b, alice, "Lunch at 12?");
            ab.waitFor("the background tab's title counting two", () -> "(2) Chat".equals(titleOf(ab, a)));
            ab.driver().close();
            ab.driver().switchTo().window(chatTab); // back to the chat tab: it is read, the count clears
            ab.waitFor("the title cleared on coming back", () -> "Chat".equals(ab.driver().getTitle()));
            ab.waitFor("bob's unread badge cleared", () -> a.unread(bob) == 0);
            List<?> fromBob = (List<?>) ab.js("return window.__notified.filter(n => n.tag === 'chat:' + arguments[0])"
                    + ".map(n => [n.title, n.body]);", bob);
            assertEquals(List.of(List.of(bobShown, "Yes, in the office"), List.of(bobShown, "Lunch at 12?")), fromBob,
                    "each message to the background tab notified, named as alice sees bob");
            List<?> icons = (List<?>) ab.js("return window.__icons;");
            assertTrue(icons.stream().anyMatch(i -> String.valueOf(i).startsWith("data:image/svg+xml,")
                    && String.valueOf(i).contains("%3E2%3C%2Ftext%3E")), "the favicon showed 2: " + icons);
            assertTrue(String.valueOf(icons.get(icons.size() - 1)).equals(ab.js(
                    "return document.querySelector('link[rel=\"icon\"]').href;")), "the favicon is the last recorded");
            assertTrue(!String.valueOf(ab.js("return document.querySelector('link[rel=\"icon\"]').href;"))
                    .contains("%3Ctext"), "the favicon's count cleared");

            // The picture of what the background tab showed. Headless Chromium draws no tab strip and no system
            // notifications, so a page of the test's lays out the values asserted above: the title, the favicon the
            // page set (its own data: URL) and the notifications it made.
            String iconOfTwo = String.valueOf(icons.stream().filter(i -> String.valueOf(i).contains("%3E2%3C%2Ftext%3E"))
                    .findFirst().orElseThrow());
            ab.driver().switchTo().newWindow(WindowType.TAB);
            ab.resize(new Dimension(760, 330));
            ab.js(BACKGROUND_TAB_PICTURE, iconOfTwo, "(2) Chat", fromBob);
            ab.waitFor("the favicon drawn", () -> (Boolean) ab.js("const i = document.querySelector('img.fav');"
                    + " return i.complete && i.naturalWidth > 0;"));
            ab.screenshot(docs("page-unread-title.png"));
        }
    }

    /**
     * Draws a browser's tab strip with one tab (favicon arguments[0], title arguments[1]) and the notifications
     * arguments[2] ([title, body] each) as a desktop shows them: values read from the page, not made up here.
     */
    private static final String BACKGROUND_TAB_PICTURE = """
            document.title = 'what the background tab showed';
            document.body.innerHTML = '';
            document.body.style.cssText = 'margin:0;font:14px system-ui,sans-serif;background:#f4f5f7;color:#1d1f23';
            const strip = document.createElement('div');
            strip.style.cssText = 'background:#dee1e6;padding:8px 8px 0;display:flex;gap:4px';
            const tab = (icon, title, front) => {
              const t = document.createElement('div');
              t.style.cssText = 'display:flex;align-items:center;gap:8px;padding:8px 14px;border-radius:8px 8px 0 0;'
                + 'width:200px;background:' + (front ? '#fff' : 'transparent');
              if (icon) {
                const i = document.createElement('img');
                i.className = 'fav';
                i.src = icon;
                i.width = 16;
                i.height = 16;
                t.append(i);
              }
              t.append(title);
              return t;
            };
            strip.append(tab(arguments[0], arguments[1], false), tab(null, 'New Tab', true));
            const note = document.createElement('p');
            note.style.cssText = 'margin:10px 16px;color:#555';
            note.textContent = 'The chat tab in the background: its title and favicon count two unread messages,'
              + ' and each was notified (as WebNotificationsTest read them from the page).';
            const list = document.createElement('div');
            list.style.cssText = 'position:absolute;right:16px;top:96px;display:grid;gap:8px;width:330px';
            for (const [title, body] of arguments[2]) {
              const n = document.createElement('div');
              n.style.cssText = 'background:#fff;border-radius:10px;padding:10px 14px;box-shadow:0 2px 8px #0003';
              const h = document.createElement('div');
              h.style.fontWeight = '700';
              h.textContent = title;
              const b = document.createElement('div');
              b.textContent = body;
              n.append(h, b);
              list.append(n);
            }
            document.body.append(strip, note, list);
            """;

    /** The chat tab's title, read from the browser's list of tabs (switching to it would bring it to the front). */
    @SuppressWarnings("unchecked")
    private static String titleOf(WebBrowser b, ChatPage page) {
        List<Map<String, Object>> targets = (List<Map<String, Object>>) b.cdp("Target.getTargets", Map.of())
                .get("targetInfos");
        return targets.stream().filter(t -> "page".equals(t.get("type")) && String.valueOf(t.get("url")).startsWith(
                page.baseUrl())).map(t -> (String) t.get("title")).findFirst().orElse(null);
    }

    private static void sendToGroup(ChatClient c, String group, String body) {
        String id = "n-" + UUID.randomUUID();
        c.send("{\"type\":\"send\",\"id\":\"" + id + "\",\"group\":\"" + group + "\",\"body\":\"" + body + "\"}");
        c.await(frame("ack", id), WAIT);
    }

    private static void sendTo(ChatClient c, String to, String body) {
        String id = "n-" + UUID.randomUUID();
        c.sendMessage(id, to, body);
        c.await(frame("ack", id), WAIT);
    }
}
