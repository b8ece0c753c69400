package dev.chat.system;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;

import io.restassured.http.ContentType;

/**
 * The chat web page as a person uses it, in one {@link WebBrowser}: it types, clicks and reads what the page
 * shows. Reads go through one script each, so they never hold an element the page may replace.
 */
final class ChatPage {
    final WebBrowser browser;
    private final String baseUrl;

    ChatPage(WebBrowser browser, String baseUrl) {
        this.browser = browser;
        this.baseUrl = baseUrl;
    }

    String name() {
        return browser.name();
    }

    /** HAProxy's front end the page is loaded from. */
    String baseUrl() {
        return baseUrl;
    }

    // ------------------------------------------------------------------ the browser tests' common setup

    /** The password {@link #person} gives an account. */
    static String passwordOf(String name) {
        return "pw-of-" + name;
    }

    /**
     * An account named {@code name} with the password {@link #passwordOf}, made through the API; idempotent (409:
     * another test on the same shared stack made it already). Answers the name.
     */
    static String person(LocalStack stack, String name) {
        int status = given().baseUri(stack.baseUrl()).contentType(ContentType.JSON)
                .body(Map.of("username", name, "password", passwordOf(name))).post("/api/users").statusCode();
        assertTrue(status == 201 || status == 409, "creating " + name + " answered " + status);
        return name;
    }

    /** Opens the page of {@code stack} in {@code browser} and signs {@code name} in; waits for the open socket. */
    static ChatPage signedIn(WebBrowser browser, LocalStack stack, String name) {
        ChatPage page = new ChatPage(browser, stack.baseUrl()).open();
        page.signIn(name, passwordOf(name));
        page.awaitConnected();
        return page;
    }

    /** Where the browser tests save the screenshots the README shows. */
    static Path docs(String file) {
        return LocalStack.projectRoot().resolve("docs").resolve(file);
    }

    /** Loads the page from HAProxy's front end and waits until it shows a view (sign-in or chat). */
    ChatPage open() {
        browser.get(baseUrl + "/");
        browser.waitFor("the page to start", () -> view());
        return this;
    }

    void reload() {
        browser.driver().navigate().refresh();
        browser.waitFor("the page to start again", () -> view());
    }

    /** {@code auth} or {@code chat}; null while the page starts. */
    String view() {
        return (String) browser.js("return document.body.dataset.view || null;");
    }

    /** {@code connecting}, {@code open}, {@code down} or {@code closed}: the page's socket. */
    String connection() {
        return (String) browser.js("return document.body.dataset.connection || null;");
    }

    // ------------------------------------------------------------------ signing in

    void awaitSignInScreen() {
        browser.waitFor("the sign-in screen", () -> "auth".equals(view()) && visible("auth-view"));
    }

    void signIn(String user, String password) {
        awaitSignInScreen();
        if (!"Sign in".equals(text("auth-title"))) {
            click("auth-switch");
        }
        fill(user, password);
    }

    void signUp(String user, String password) {
        awaitSignInScreen();
        if ("Sign in".equals(text("auth-title"))) {
            click("auth-switch");
        }
        browser.waitFor("the create-account form", () -> "Create your account".equals(text("auth-title")));
        fill(user, password);
    }

    private void fill(String user, String password) {
        WebElement u = browser.driver().findElement(By.id("auth-username"));
        u.clear();
        u.sendKeys(user);
        WebElement p = browser.driver().findElement(By.id("auth-password"));
        p.clear();
        p.sendKeys(password);
        p.sendKeys(Keys.ENTER);
    }

    /** Waits until the page shows the signed-in view with its socket open. */
    void awaitConnected() {
        browser.waitFor("the chat view with an open socket", () -> "chat".equals(view()) && "open".equals(connection()));
    }

    String authError() {
        return text("auth-error");
    }

    /** The notice above the sign-in form (e.g. why the person was signed out), or "" when there is none. */
    String authNotice() {
        return visible("auth-notice") ? text("auth-notice") : "";
    }

    void signOut() {
        click("sign-out");
        awaitSignInScreen();
    }

    // ------------------------------------------------------------------ people and conversations

    /** Types a prefix into "Find people" and picks {@code user} from the results. */
    void startConversationWith(String user, String prefix) {
        WebElement search = browser.driver().findElement(By.id("people-search"));
        search.clear();
        search.sendKeys(prefix);
        browser.waitFor(user + " among the people found", () -> (Boolean) browser.js(
                "return !!document.querySelector('#search-results button[data-user=\"' + arguments[0] + '\"]');", user));
        clickWhenThere(By.cssSelector("#search-results button[data-user='" + user + "']"));
        awaitOpenConversation(user);
    }

    void openConversation(String peer) {
        browser.waitFor("a conversation with " + peer + " in the list", () -> conversations().contains(peer));
        clickWhenThere(By.cssSelector("#conversation-list li[data-peer='" + peer + "'] button"));
        awaitOpenConversation(peer);
    }

    /**
     * Until the conversation with {@code peer} (a username, or a group's name) is open: the header shows it, or
     * shows the person's display name with {@code peer} as its title.
     */
    void awaitOpenConversation(String peer) {
        browser.waitFor("the conversation with " + peer + " open", () -> visible("pane-conversation")
                && (peer.equals(text("peer-name"))
                        || peer.equals(browser.js("return document.getElementById('peer-name').title;"))));
    }

    /** Phone layout: the back button returns to the list. */
    void back() {
        click("back");
        browser.waitFor("the conversation list", () -> visible("conversation-list") && !visible("pane-conversation"));
    }

    /** The peers of the conversation list, top first. */
    @SuppressWarnings("unchecked")
    List<String> conversations() {
        return (List<String>) browser.js(
                "return [...document.querySelectorAll('#conversation-list li')].map(li => li.dataset.peer);");
    }

    /** The unread badge of {@code peer}'s conversation (0 when none is shown). */
    int unread(String peer) {
        Object n = browser.js("const b = document.querySelector('#conversation-list li[data-peer=\"' + arguments[0]"
                + " + '\"] .badge'); return b && !b.hidden ? Number(b.textContent) : 0;", peer);
        return ((Number) n).intValue();
    }

    /** Whether {@code peer}'s avatar in the list carries the online dot. */
    boolean shownOnline(String peer) {
        return Boolean.TRUE.equals(browser.js("const a = document.querySelector('#conversation-list li[data-peer=\"'"
                + " + arguments[0] + '\"] .avatar'); return !!a && a.classList.contains('online');", peer));
    }

    // ------------------------------------------------------------------ groups

    /** Loads {@code pathAndHash} (e.g. {@code /#join=CODE}) of HAProxy's front end in this browser. */
    void openAt(String pathAndHash) {
        browser.get(baseUrl + pathAndHash);
    }

    /**
     * "New group": names it, picks each member through the people search, creates it; waits until it is open.
     * Answers the group's key in the conversation list ({@code data-peer} of its item).
     */
    String createGroup(String name, String... members) {
        click("new-group");
        browser.waitFor("the new-group form", () -> visible("new-group-form"));
        WebElement field = browser.driver().findElement(By.id("group-name"));
        field.clear();
        field.sendKeys(name);
        for (String m : members) {
            WebElement search = browser.driver().findElement(By.id("group-member-search"));
            search.clear();
            search.sendKeys(m.substring(0, Math.min(3, m.length())));
            clickWhenThere(By.cssSelector("#group-member-results button[data-user='" + m + "']"));
            browser.waitFor(m + " chosen for the group", () -> (Boolean) browser.js(
                    "return !!document.querySelector('#group-chosen li[data-user=\"' + arguments[0] + '\"]');", m));
        }
        click("new-group-create");
        awaitOpenConversation(name);
        return browser.waitFor("the group " + name + " in the list", () -> groupKey(name));
    }

    /** The key ({@code data-peer}) of the group named {@code name} in the conversation list, or null. */
    String groupKey(String name) {
        return (String) browser.js("const li = [...document.querySelectorAll('#conversation-list li[data-group]')]"
                + ".find(li => li.querySelector('.name').textContent === arguments[0]); return li ? li.dataset.peer : null;",
                name);
    }

    /** The group names of the conversation list, top first. */
    @SuppressWarnings("unchecked")
    List<String> groups() {
        return (List<String>) browser.js("return [...document.querySelectorAll('#conversation-list li[data-group]')]"
                + ".map(li => li.querySelector('.name').textContent);");
    }

    /** Opens the group named {@code name} from the conversation list. */
    void openGroup(String name) {
        String key = browser.waitFor("the group " + name + " in the list", () -> groupKey(name));
        clickWhenThere(By.cssSelector("#conversation-list li[data-peer='" + key + "'] button"));
        awaitOpenConversation(name);
    }

    /** The last-message line of a conversation in the list (e.g. "alice: hello"). */
    String preview(String key) {
        return (String) browser.js("const p = document.querySelector('#conversation-list li[data-peer=\"' + arguments[0]"
                + " + '\"] .preview'); return p ? p.textContent : null;", key);
    }

    /** The typing line of the open conversation ("alice is typing…"), "" when no one is typing. */
    String typing() {
        return text("typing");
    }

    /** Opens the open group's members panel and waits until it lists its members. */
    void openMembers() {
        if (!visible("members-panel")) {
            click("members-toggle");
        }
        browser.waitFor("the members panel", () -> visible("members-panel") && !members().isEmpty());
    }

    /** The members panel's list: username → role. */
    @SuppressWarnings("unchecked")
    Map<String, String> members() {
        return (Map<String, String>) browser.js("return Object.fromEntries([...document.querySelectorAll('#member-list li')]"
                + ".map(li => [li.dataset.user, li.dataset.role]));");
    }

    /** "Invite link" in the members panel: answers the link it shows. */
    String inviteLink() {
        openMembers();
        browser.js("document.getElementById('invite-url').value = '';");
        click("invite-button");
        return browser.waitFor("an invite link", () -> {
            String v = (String) browser.js("return document.getElementById('invite-url').value;");
            return v != null && v.contains("#join=") ? v : null;
        });
    }

    /** Leaves the open group through its members panel. */
    void leaveGroup() {
        openMembers();
        click("leave-group");
        browser.waitFor("the group closed after leaving", () -> !visible("pane-conversation"));
    }

    /** Types into the composer without sending. */
    void type(String text) {
        browser.driver().findElement(By.id("composer-input")).sendKeys(text);
    }

    // ------------------------------------------------------------------ messages

    /** Types {@code text} into the composer and presses Enter, as a person would. */
    void send(String text) {
        WebElement input = browser.driver().findElement(By.id("composer-input"));
        input.sendKeys(text);
        input.sendKeys(Keys.ENTER);
        browser.waitFor("the composer to empty after sending", () -> "".equals(input.getAttribute("value")));
    }

    /** The open conversation's messages, oldest first: id, from, body, state. */
    @SuppressWarnings("unchecked")
    List<Map<String, String>> messages() {
        return (List<Map<String, String>>) browser.js("return [...document.querySelectorAll('#messages li.msg')].map(li =>"
                + " ({id: li.dataset.id, from: li.dataset.from, state: li.dataset.state,"
                + "   body: li.querySelector('.bubble').lastChild.textContent}));");
    }

    /** The open group's change lines ("alice added bob"), oldest first. */
    @SuppressWarnings("unchecked")
    List<String> groupNotices() {
        return (List<String>) browser.js(
                "return [...document.querySelectorAll('#messages li.group-notice')].map(li => li.textContent);");
    }

    long count(String body) {
        return messages().stream().filter(m -> body.equals(m.get("body"))).count();
    }

    /** The state shown for the own message with this body: sending, sent, delivered or failed. */
    String stateOf(String body) {
        return messages().stream().filter(m -> body.equals(m.get("body"))).map(m -> m.get("state")).findFirst()
                .orElse(null);
    }

    void awaitMessage(String body) {
        browser.waitFor("message '" + body + "' shown", () -> count(body) > 0);
    }

    void awaitState(String body, String state) {
        browser.waitFor("message '" + body + "' shown as " + state + " (now " + messages() + ")",
                () -> state.equals(stateOf(body)));
    }

    // ------------------------------------------------------------------ banner

    /** The connection banner's state ({@code down} or {@code up}), or null when it is hidden. */
    String banner() {
        return (String) browser.js("const b = document.getElementById('banner'); return b.hidden ? null : b.dataset.state;");
    }

    String bannerText() {
        return text("banner-text");
    }

    // ------------------------------------------------------------------ little helpers

    String text(String id) {
        return (String) browser.js("const e = document.getElementById(arguments[0]); return e ? e.textContent.trim() : null;", id);
    }

    /** The letters an avatar shows (its initials; empty when it shows a picture), or null when none matches. */
    String avatarText(String cssSelector) {
        return (String) browser.js("const a = document.querySelector(arguments[0]); return a ? a.textContent : null;",
                cssSelector);
    }

    boolean visible(String id) {
        return Boolean.TRUE.equals(browser.js("const e = document.getElementById(arguments[0]);"
                + " return !!e && !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);", id));
    }

    String focusedId() {
        return (String) browser.js("return document.activeElement ? document.activeElement.id : null;");
    }

    void click(String id) {
        clickWhenThere(By.id(id));
    }

    /** Clicks what {@code by} finds, finding it again if the page replaced it meanwhile. */
    void clickWhenThere(By by) {
        browser.waitFor("a clickable " + by, () -> {
            try {
                browser.driver().findElement(by).click();
                return true;
            } catch (StaleElementReferenceException | NoSuchElementException e) {
                return false;
            }
        });
    }
}
