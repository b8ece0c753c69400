package dev.chat.system;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.BeforeAll;
import org.openqa.selenium.By;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.testing.ChatClient;
import io.restassured.http.ContentType;

/**
 * The web page, in real headless Chromium browsers, through HAProxy's front end of the whole local stack:
 * each browser is a separate context (its own profile), as two people or two devices are. The tests save the
 * screenshots shown in the README under {@code docs/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(Lanes.SHARED_STACK)
class WebPageTest {
    private static final Duration WAIT = WebBrowser.WAIT;
    private static final String ALICE_PASSWORD = "correct horse battery";
    private static final String EXPIRED_NOTICE = "Your session expired. Please sign in again.";

    private static LocalStack stack;

    @BeforeAll
    static void up() {
        stack = LocalStack.shared();
    }

    private static Path docs(String file) {
        return LocalStack.projectRoot().resolve("docs").resolve(file);
    }

    private static ChatPage page(WebBrowser b) {
        return new ChatPage(b, stack.baseUrl()).open();
    }

    // ------------------------------------------------------------------ the tests

    @Test
    @Order(1)
    void aPersonSignsUpStaysSignedInAcrossAReloadSignsOutAndIsToldAboutAWrongPassword() {
        try (WebBrowser b = WebBrowser.open("alice-signup", WebBrowser.DESKTOP)) {
            ChatPage p = page(b);
            p.awaitSignInScreen();
            assertEquals("auth-username", p.focusedId(), "the username field has the focus");
            assertLabelled(b, "auth-username", "Username");
            assertLabelled(b, "auth-password", "Password");
            b.screenshot(docs("page-sign-in.png"));

            p.signUp("alice", ALICE_PASSWORD);
            p.awaitConnected();
            assertEquals("alice", p.text("me-name"));

            p.reload();
            p.awaitConnected();
            assertEquals("alice", p.text("me-name"), "the session survives a reload");

            p.signOut();
            assertEquals("You signed out.", p.authNotice());

            p.signIn("alice", "not the password");
            b.waitFor("the wrong-password message", () -> p.authError().contains("Wrong username or password"));
            assertEquals("auth", p.view());
            assertEquals("alert", b.js("return document.getElementById('auth-error').getAttribute('role');"),
                    "the message is announced");

            p.signIn("alice", ALICE_PASSWORD);
            p.awaitConnected();
        }
    }

    @Test
    @Order(2)
    void aliceAndBobOnDifferentNodesExchangeMessagesAndSeeSentAndDeliveredStates() {
        ensureAccount("alice", ALICE_PASSWORD);
        // Plain names, as in the screenshots; each stack is new, so they are free.
        Person bob = Person.named("bob");
        Person carol = Person.named("carol");
        Person dave = Person.named("dave");
        String alice = "alice";
        String aliceToken = login(alice, ALICE_PASSWORD);
        // Two other people write to alice first, and stay online: her list shows unread counts and online dots.
        try (ChatClient c = ChatClient.connect(URI.create(stack.wsUrl()), carol.token);
                ChatClient d = ChatClient.connect(URI.create(stack.wsUrl()), dave.token);
                WebBrowser ab = WebBrowser.open("alice", WebBrowser.DESKTOP);
                WebBrowser bb = WebBrowser.open("bob", WebBrowser.DESKTOP)) {
            sendAcked(c, alice, "Are you coming to the design review at 3?");
            sendAcked(c, alice, "I saved you a seat.");
            sendAcked(d, alice, "Pushed the fix for the login bug, can you take a look?");

            ChatPage a = page(ab);
            a.signIn(alice, ALICE_PASSWORD);
            a.awaitConnected();
            String aliceNode = soleNode(alice, aliceToken);
            ChatPage bp = page(bb);
            bp.signIn(bob.name, bob.password);
            String bobNode = placeAvoiding(bp, bob, aliceNode);

            ab.waitFor("carol's and dave's unread counts", () -> a.unread(carol.name) == 2 && a.unread(dave.name) == 1);
            ab.waitFor("carol and dave shown online", () -> a.shownOnline(carol.name) && a.shownOnline(dave.name));

            a.startConversationWith(bob.name, "bo");
            assertEquals("composer-input", a.focusedId(), "opening a conversation puts the focus in the composer");
            assertLabelled(ab, "composer-input", "Message " + bob.name);
            String hi = "Hi Bob! Are we still on for lunch today?";
            a.send(hi);
            a.awaitState(hi, "delivered");

            bb.waitFor("alice's message counted unread for bob", () -> bp.unread(alice) == 1);
            bp.openConversation(alice);
            bp.awaitMessage(hi);
            bb.waitFor("the unread badge gone once bob reads", () -> bp.unread(alice) == 0);
            String reply = "Yes! 12:30 at the usual place?";
            bp.send(reply);
            a.awaitMessage(reply);
            bp.awaitState(reply, "delivered");
            String more = "Perfect, see you there.";
            a.send(more);
            bp.awaitMessage(more);
            a.awaitState(more, "delivered");
            assertEquals(1, a.count(hi));
            assertEquals(1, bp.count(hi));
            assertEquals(List.of(hi, reply, more), bodies(a));
            assertEquals(List.of(hi, reply, more), bodies(bp));
            assertNotEquals(aliceNode, bobNode);
            assertEquals(aliceNode, soleNode(alice, aliceToken), "alice stayed on her node");
            assertEquals(bobNode, soleNode(bob.name, bob.token), "bob stayed on another node");
            ab.screenshot(docs("page-conversation.png"));

            // The same person on a phone: a second device, one column at a time.
            try (WebBrowser phone = WebBrowser.open("alice-phone", WebBrowser.PHONE)) {
                ChatPage ph = page(phone);
                ph.signIn(alice, ALICE_PASSWORD);
                ph.awaitConnected();
                phone.waitFor("the list on the phone", () -> ph.conversations().containsAll(
                        List.of(bob.name, carol.name, dave.name)));
                assertTrue(ph.visible("conversation-list") && !ph.visible("pane"), "a phone shows the list alone");
                phone.waitFor("online dots on the phone", () -> ph.shownOnline(carol.name) && ph.shownOnline(bob.name));
                phone.screenshot(docs("page-phone-list.png"));
                ph.openConversation(bob.name);
                phone.waitFor("the history on the phone", () -> bodies(ph).equals(List.of(hi, reply, more)));
                assertTrue(ph.visible("back") && !ph.visible("conversation-list"), "a phone shows the conversation alone");
                phone.screenshot(docs("page-phone-conversation.png"));
                ph.back();
                assertEquals(bob.name, phone.js("const li = document.activeElement.closest('li');"
                        + " return li ? li.dataset.peer : null;"), "back puts the focus on the conversation left");
            }

            // The list alone on a desktop, after a reload: the session and the unread counts survive it.
            a.reload();
            a.awaitConnected();
            ab.waitFor("the list after a reload", () -> a.conversations().equals(List.of(bob.name, dave.name, carol.name)));
            ab.waitFor("unread counts after a reload", () -> a.unread(carol.name) == 2 && a.unread(dave.name) == 1
                    && a.unread(bob.name) == 0);
            ab.waitFor("online dots after a reload", () -> a.shownOnline(bob.name) && a.shownOnline(carol.name));
            ab.screenshot(docs("page-conversations.png"));
        }
    }

    @Test
    @Order(3)
    void bobAwayThenBackSeesAlicesThreeMessagesOnceWithAnUnreadCount() {
        Person ann = Person.create("ann");
        Person ben = Person.create("ben");
        List<String> away = List.of("While you were out: the build is green again", "Standup moved to 10:15",
                "Call me when you are back");
        try (WebBrowser annBrowser = WebBrowser.open("ann", WebBrowser.DESKTOP)) {
            ChatPage a = page(annBrowser);
            a.signIn(ann.name, ann.password);
            a.awaitConnected();
            try (WebBrowser benBrowser = WebBrowser.open("ben", WebBrowser.DESKTOP)) {
                ChatPage bp = page(benBrowser);
                bp.signIn(ben.name, ben.password);
                bp.awaitConnected();
                a.startConversationWith(ben.name, prefix(ben.name));
                a.send("Morning!");
                a.awaitState("Morning!", "delivered");
                bp.openConversation(ann.name);
                bp.awaitMessage("Morning!");
                awaitUnreadOnServer(ben, ann.name, 0);
            } // ben closes his browser
            awaitSockets(ben, 0);

            for (String m : away) {
                a.send(m);
            }
            for (String m : away) {
                a.awaitState(m, "sent");
            }

            try (WebBrowser again = WebBrowser.open("ben-again", WebBrowser.DESKTOP)) {
                ChatPage bp = page(again);
                bp.signIn(ben.name, ben.password);
                bp.awaitConnected();
                again.waitFor("three unread from ann", () -> bp.unread(ann.name) == 3);
                // ben's page acks the three as they are redelivered: ann sees them delivered...
                for (String m : away) {
                    a.awaitState(m, "delivered");
                }
                // ...and the redelivered ones are not counted again.
                assertEquals(3, bp.unread(ann.name));
                bp.openConversation(ann.name);
                again.waitFor("the whole conversation", () -> bodies(bp).size() == 4);
                for (String m : away) {
                    assertEquals(1, bp.count(m), "shown once: " + m);
                }
                assertEquals("Morning!", bodies(bp).get(0));
                again.waitFor("the unread badge cleared", () -> bp.unread(ann.name) == 0);
                awaitUnreadOnServer(ben, ann.name, 0);

                bp.reload();
                bp.awaitConnected();
                again.waitFor("the list after a reload", () -> bp.conversations().contains(ann.name));
                assertEquals(0, bp.unread(ann.name), "read marks are kept by the server");
                bp.openConversation(ann.name);
                again.waitFor("the history after a reload", () -> bodies(bp).size() == 4);
                for (String m : away) {
                    assertEquals(1, bp.count(m), "shown once after a reload: " + m);
                }
            }
        }
    }

    @Test
    @Order(4)
    void whenTheNodeOfOnePageIsKilledThePageReconnectsByItselfAndNothingIsLostOrShownTwice() {
        Person cara = Person.named("cara");
        Person dan = Person.named("dan");
        List<String> fromCara = List.of("Did the deploy finish?", "The dashboard looks odd", "Ping me when you see this");
        List<String> fromDan = List.of("Sorry, my connection dropped", "Yes, the deploy finished");
        String killed = null;
        boolean held = false;
        try (WebBrowser cb = WebBrowser.open("cara", WebBrowser.DESKTOP);
                WebBrowser db = WebBrowser.open("dan", WebBrowser.DESKTOP)) {
            ChatPage c = page(cb);
            c.signIn(cara.name, cara.password);
            c.awaitConnected();
            String caraNode = soleNode(cara.name, cara.token);
            ChatPage d = page(db);
            d.signIn(dan.name, dan.password);
            String danNode = placeAvoiding(d, dan, caraNode);

            c.startConversationWith(dan.name, prefix(dan.name));
            c.send("Hi Dan");
            d.openConversation(cara.name);
            d.awaitMessage("Hi Dan");
            c.awaitState("Hi Dan", "delivered");

            // New sockets are held back at HAProxy for a moment (maintenance mode: open sockets stay), so that
            // the reconnecting banner can be seen; then dan's node dies.
            holdNewSockets(true);
            held = true;
            killed = "chat-" + danNode;
            stack.kill9(killed);
            db.waitFor("the connection-lost banner", () -> "down".equals(d.banner()));
            assertEquals("Connection lost. Reconnecting…", d.bannerText());
            assertEquals("status", db.js("return document.getElementById('banner').getAttribute('role');"));

            for (String m : fromCara) {
                c.send(m);
            }
            for (String m : fromDan) {
                d.send(m);
            }
            for (String m : fromCara) {
                c.awaitState(m, "sent");
            }
            for (String m : fromDan) {
                assertEquals("sending", d.stateOf(m), "queued while the connection is down");
            }
            db.screenshot(docs("page-reconnecting.png"));

            holdNewSockets(false);
            held = false;
            // The page reconnects by itself: nobody touches it.
            db.waitFor("the page to reconnect by itself", Duration.ofSeconds(45), () -> "open".equals(d.connection()));
            String newNode = soleNode(dan.name, dan.token);
            assertNotEquals(danNode, newNode, "dan's page is now on a live node");
            for (String m : fromDan) {
                d.awaitState(m, "delivered");
                c.awaitMessage(m);
            }
            for (String m : fromCara) {
                d.awaitMessage(m);
                c.awaitState(m, "delivered");
            }
            db.waitFor("the banner saying it is back, then gone", () -> !"down".equals(d.banner()));

            // Past the server's redelivery interval: still each message once on both sides.
            c.send("All good then");
            d.awaitMessage("All good then");
            ChatThroughProxyTest.pause(6000);
            d.send("All good");
            c.awaitMessage("All good");
            for (String m : fromCara) {
                assertEquals(1, d.count(m), "dan sees once: " + m);
                assertEquals(1, c.count(m), "cara sees once: " + m);
            }
            for (String m : fromDan) {
                assertEquals(1, c.count(m), "cara sees once: " + m);
                assertEquals(1, d.count(m), "dan sees once: " + m);
            }
            d.reload();
            d.awaitConnected();
            d.openConversation(cara.name);
            db.waitFor("the history after a reload", () -> bodies(d).contains("All good"));
            for (String m : fromCara) {
                assertEquals(1, d.count(m), "dan sees once after a reload: " + m);
            }
        } finally {
            if (held) {
                holdNewSockets(false);
            }
            if (killed != null) {
                stack.start(killed);
            }
        }
    }

    @Test
    @Order(5)
    void anExpiredSessionSendsThePersonBackToSignIn() throws Exception {
        Person eve = Person.create("eve");
        try (WebBrowser b = WebBrowser.open("eve", WebBrowser.DESKTOP)) {
            ChatPage p = page(b);
            p.awaitSignInScreen();
            long now = Instant.now().getEpochSecond();

            // 1. The stored session says it is over: the page does not even try.
            storeSession(b, eve.name, eve.token, now - 60);
            p.reload();
            p.awaitSignInScreen();
            assertEquals(EXPIRED_NOTICE, p.authNotice());
            assertNull(b.js("return localStorage.getItem('chat.session');"), "the expired session is forgotten");

            // 2. The server refuses the token (expired by its own exp claim) although the page believed it valid.
            storeSession(b, eve.name, forgeToken(eve.name, now - 3600, now - 120), now + 3600);
            p.reload();
            b.waitFor("the sign-in screen after the refusal", () -> "auth".equals(p.view()) && !p.authNotice().isEmpty());
            assertEquals(EXPIRED_NOTICE, p.authNotice());

            // 3. A session that runs out while the page is open.
            storeSession(b, eve.name, eve.token, Instant.now().getEpochSecond() + 20);
            p.reload();
            p.awaitConnected();
            b.waitFor("the sign-in screen once the session ran out", () -> "auth".equals(p.view()));
            assertEquals(EXPIRED_NOTICE, p.authNotice());

            p.signIn(eve.name, eve.password);
            p.awaitConnected();
        }
    }

    @Test
    @Order(6)
    void aFrozenNodeIsNoticedByTheHeartbeatAndThePageMovesToAnotherNode() throws Exception {
        Person fay = Person.create("fay");
        Person gus = Person.create("gus");
        String frozen = null;
        try (WebBrowser fb = WebBrowser.open("fay", WebBrowser.DESKTOP);
                WebBrowser gb = WebBrowser.open("gus", WebBrowser.DESKTOP)) {
            ChatPage f = page(fb);
            f.signIn(fay.name, fay.password);
            f.awaitConnected();
            String fayNode = soleNode(fay.name, fay.token);
            ChatPage g = page(gb);
            g.signIn(gus.name, gus.password);
            String gusNode = placeAvoiding(g, gus, fayNode);
            f.startConversationWith(gus.name, prefix(gus.name));

            // The node stops answering but its TCP connections stay open: only a heartbeat notices.
            frozen = "chat-" + gusNode;
            signal("STOP", stack.pid(frozen));
            Instant stoppedAt = Instant.now();
            gb.waitFor("the page to notice the silent node", () -> !"open".equals(g.connection()));
            long noticedMs = Duration.between(stoppedAt, Instant.now()).toMillis();
            assertTrue(noticedMs < 15000, "noticed after " + noticedMs + " ms");
            f.send("Are you there?");
            gb.waitFor("the page on another node", Duration.ofSeconds(45), () -> "open".equals(g.connection()));
            g.openConversation(fay.name);
            g.awaitMessage("Are you there?");
            f.awaitState("Are you there?", "delivered");
        } finally {
            if (frozen != null) {
                signal("CONT", stack.pid(frozen));
                ChatThroughProxyTest.awaitAllServersUp();
            }
        }
    }

    @Test
    @Order(7)
    void aMessageThatCannotBeSentShowsFailedAndItsRetryButtonSendsItOnce() {
        Person hal = Person.create("hal");
        Person ida = Person.create("ida");
        String body = "This one had to wait for a retry";
        String node = null;
        boolean held = false;
        try (WebBrowser hb = WebBrowser.open("hal", WebBrowser.DESKTOP);
                WebBrowser ib = WebBrowser.open("ida", WebBrowser.DESKTOP)) {
            ChatPage i = page(ib);
            i.signIn(ida.name, ida.password);
            i.awaitConnected();
            ChatPage h = page(hb);
            // hal's page gives up after 4 s instead of 60 s.
            hb.js("localStorage.setItem('chat.clientOptions', JSON.stringify({giveUpAfterMs: 4000}));");
            h.signIn(hal.name, hal.password);
            h.awaitConnected();
            node = soleNode(hal.name, hal.token);
            h.startConversationWith(ida.name, prefix(ida.name));

            // hal's socket is cut at HAProxy and no new one gets through for a while.
            holdNewSockets(true);
            held = true;
            haproxy("shutdown sessions server chat_nodes/" + node);
            hb.waitFor("the connection-lost banner", () -> "down".equals(h.banner()));
            h.send(body);
            assertEquals("sending", h.stateOf(body));
            h.awaitState(body, "failed");
            assertEquals("Retry", hb.js("return document.querySelector('#messages li.msg[data-state=failed] .retry')"
                    + ".textContent;"));
            holdNewSockets(false);
            held = false;
            h.awaitConnected();
            // A failed message waits for the person: it is not sent behind their back.
            ChatThroughProxyTest.pause(1000);
            assertEquals("failed", h.stateOf(body));
            String id = h.messages().stream().filter(m -> body.equals(m.get("body"))).findFirst().orElseThrow().get("id");
            h.clickWhenThere(By.cssSelector("#messages li.msg[data-id='" + id + "'] .retry"));
            h.awaitState(body, "delivered");
            assertEquals(id, h.messages().stream().filter(m -> body.equals(m.get("body"))).findFirst().orElseThrow()
                    .get("id"), "the retry keeps the message's ID");
            i.openConversation(hal.name);
            i.awaitMessage(body);
            assertEquals(1, i.count(body));
        } finally {
            if (held) {
                holdNewSockets(false);
            }
        }
    }

    @Test
    @Order(8)
    void aLongHistoryLoadsNewestFirstAndOlderPagesOnScrollingUp() {
        Person jo = Person.create("jo");
        Person kim = Person.create("kim");
        int n = 45;
        try (ChatClient k = ChatClient.connect(URI.create(stack.wsUrl()), kim.token)) {
            for (int i = 1; i <= n; i++) {
                sendAcked(k, jo.name, "history line " + i);
            }
        }
        try (WebBrowser b = WebBrowser.open("jo", WebBrowser.DESKTOP)) {
            ChatPage p = page(b);
            p.signIn(jo.name, jo.password);
            p.awaitConnected();
            b.waitFor("45 unread", () -> p.unread(kim.name) == n);
            p.openConversation(kim.name);
            b.waitFor("the newest page", () -> bodies(p).size() >= 30);
            List<String> first = bodies(p);
            assertEquals("history line " + n, first.get(first.size() - 1), "the newest message is at the bottom");
            assertTrue(first.size() < n, "one page first, not everything: " + first.size());
            b.js("document.getElementById('scroller').scrollTop = 0;");
            b.waitFor("the older page after scrolling up", () -> bodies(p).size() == n);
            List<String> all = bodies(p);
            for (int i = 1; i <= n; i++) {
                assertEquals("history line " + i, all.get(i - 1), "in order, each once");
            }
            b.waitFor("the beginning of the conversation", () -> p.text("history-status").startsWith("This is the beginning"));
        }
    }

    // ------------------------------------------------------------------ people

    /** An account made through the API, with its password (for the page) and a token (for presence look-ups). */
    record Person(String name, String password, String token) {
        static Person create(String prefix) {
            return named(prefix + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36));
        }

        static Person named(String name) {
            String password = "pw-of-" + name;
            ensureAccount(name, password);
            return new Person(name, password, login(name, password));
        }
    }

    private static void ensureAccount(String name, String password) {
        int status = given().baseUri(stack.baseUrl()).contentType(ContentType.JSON)
                .body(Map.of("username", name, "password", password)).post("/api/users").statusCode();
        assertTrue(status == 201 || status == 409, "creating " + name + " answered " + status);
    }

    private static String login(String name, String password) {
        return given().baseUri(stack.baseUrl()).contentType(ContentType.JSON)
                .body(Map.of("username", name, "password", password))
                .post("/api/auth/login").then().statusCode(200).extract().path("token");
    }

    private static void sendAcked(ChatClient c, String to, String body) {
        String id = UUID.randomUUID().toString();
        c.sendMessage(id, to, body);
        c.await(ChatClient.frame("ack", id), WAIT);
    }

    // ------------------------------------------------------------------ where sockets are

    /**
     * The one node {@code user}'s one socket is on, once presence-service reports exactly one, twice in a row. A 503
     * (presence's Redis did not answer within its bound: "retry shortly") is asked again until the deadline: on a
     * loaded machine it came three runs in a row.
     */
    private static String soleNode(String user, String token) {
        Instant deadline = Instant.now().plus(WAIT);
        String previous = null;
        while (true) {
            var body = PresenceAsk.of(stack.baseUrl(), token, user, deadline);
            List<String> nodes = body.getList("nodes", String.class);
            String now = body.getInt("sockets") == 1 && nodes.size() == 1 ? nodes.get(0) : null;
            if (now != null && now.equals(previous)) {
                return now;
            }
            previous = now;
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(user + " never had one socket on one node: " + body.prettify());
            }
            ChatThroughProxyTest.pause(300);
        }
    }

    /** Until the server counts {@code unread} messages from {@code peer} for {@code p} (read marks are stored). */
    private static void awaitUnreadOnServer(Person p, String peer, int unread) {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            List<Map<String, Object>> list = given().baseUri(stack.baseUrl()).auth().oauth2(p.token)
                    .get("/api/conversations").then().statusCode(200).extract().jsonPath().getList("$");
            if (list.stream().anyMatch(c -> peer.equals(c.get("with")) && ((Number) c.get("unread")).intValue() == unread)) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(p.name + " never had " + unread + " unread from " + peer + ": " + list);
            }
            ChatThroughProxyTest.pause(100);
        }
    }

    private static void awaitSockets(Person p, int sockets) {
        Instant deadline = Instant.now().plus(WAIT);
        while (PresenceAsk.of(stack.baseUrl(), p.token, p.name, deadline).getInt("sockets") != sockets) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(p.name + " never had " + sockets + " sockets");
            }
            ChatThroughProxyTest.pause(100);
        }
    }

    /**
     * Signs the page's person in and reloads until HAProxy put its socket on a node other than {@code avoid}. After
     * the first landing there, {@code avoid} is held in maintenance (its open sockets stay) until the page is placed
     * elsewhere: with leastconn on a stack other tests share, the node with the fewest sockets left over can win
     * every reload (seen: twelve in a row).
     */
    private static String placeAvoiding(ChatPage page, Person who, String avoid) {
        page.awaitConnected();
        String first = soleNode(who.name, who.token);
        if (!first.equals(avoid)) {
            return first;
        }
        haproxy("set server chat_nodes/" + avoid + " state maint");
        try {
            for (int attempt = 0; attempt < 12; attempt++) {
                page.reload();
                page.awaitConnected();
                String node = soleNode(who.name, who.token);
                if (!node.equals(avoid)) {
                    return node;
                }
            }
        } finally {
            haproxy("set server chat_nodes/" + avoid + " state ready");
        }
        throw new AssertionError("HAProxy kept placing " + who.name + " on " + avoid + ", even in maintenance");
    }

    /**
     * Puts every chat node of HAProxy's back end in maintenance (no new connections; open sockets stay) or
     * back to ready, through HAProxy's admin socket.
     */
    private static void holdNewSockets(boolean hold) {
        for (int i = 1; i <= LocalStack.CHAT_NODES; i++) {
            haproxy("set server chat_nodes/node-" + i + " state " + (hold ? "maint" : "ready"));
        }
    }

    private static String haproxy(String command) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(stack.haproxySocket()));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            ByteBuffer buf = ByteBuffer.allocate(8192);
            StringBuilder out = new StringBuilder();
            while (ch.read(buf) > 0) {
                buf.flip();
                out.append(StandardCharsets.UTF_8.decode(buf));
                buf.clear();
            }
            String answer = out.toString().trim();
            if (!answer.isEmpty()) {
                throw new AssertionError("HAProxy refused '" + command + "': " + answer);
            }
            return answer;
        } catch (IOException e) {
            throw new IllegalStateException("cannot talk to HAProxy's admin socket " + stack.haproxySocket(), e);
        }
    }

    private static void signal(String sig, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertEquals(0, p.waitFor(), "kill -" + sig + " " + pid);
    }

    // ------------------------------------------------------------------ sessions

    private static void storeSession(WebBrowser b, String user, String token, long expiresAt) {
        b.js("localStorage.setItem('chat.session', JSON.stringify({username: arguments[0], token: arguments[1],"
                + " expiresAt: Number(arguments[2])}));", user, token, Long.toString(expiresAt));
    }

    /** A token signed with the stack's own key, as user-service would sign it, but with the given times. */
    private static String forgeToken(String user, long iat, long exp) throws Exception {
        String pem = Files.readString(stack.jwtPrivateKey()).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = b64.encodeToString(("{\"iss\":\"chat\",\"upn\":\"" + user + "\",\"sub\":\"1\",\"groups\":[\"user\"],"
                + "\"iat\":" + iat + ",\"exp\":" + exp + ",\"jti\":\"" + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(key);
        rs256.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + b64.encodeToString(rs256.sign());
    }

    // ------------------------------------------------------------------ page reading

    /** What a person types into "Find people" to find {@code name}. */
    private static String prefix(String name) {
        return name.substring(0, Math.min(3, name.length()));
    }

    private static List<String> bodies(ChatPage p) {
        return p.messages().stream().map(m -> m.get("body")).toList();
    }

    /** The element's accessible label: a <label for> with this text. */
    private static void assertLabelled(WebBrowser b, String id, String label) {
        Object text = b.js("const e = document.getElementById(arguments[0]);"
                + " return e.labels && e.labels.length ? e.labels[0].textContent.trim() : null;", id);
        assertEquals(label, text, "label of #" + id);
    }
}
