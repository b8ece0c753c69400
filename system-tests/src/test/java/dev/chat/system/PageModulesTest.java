package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The page's modules that hold logic, as the chat nodes serve them through HAProxy, in a real browser with
 * in-memory storage and a fake API: {@code page/store.js} (state updates, ordering, one copy per message ID,
 * unread counts, reads and seen notices), {@code page/text.js}, {@code page/session.js} (the stored session, the
 * sign-in rules) and {@code page/profiles.js} (the bounded cache of others' display names and pictures). The
 * checks are in {@code page-spec.js}; the DOM side is covered by the Web*Test browser tests.
 */
@ResourceLock(Lanes.SHARED_STACK)
class PageModulesTest {
    @Test
    void thePageModulesKeepTheirRules() throws IOException {
        LocalStack stack = LocalStack.shared();
        String spec;
        try (InputStream in = PageModulesTest.class.getResourceAsStream("/page-spec.js")) {
            spec = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (WebBrowser b = WebBrowser.open("page-modules", WebBrowser.DESKTOP)) {
            b.get(stack.baseUrl() + "/");
            Object result = b.jsAsync("const done = arguments[arguments.length - 1];"
                    + " Promise.all(['/page/store.js', '/page/text.js', '/page/session.js', '/page/profiles.js',"
                    + " '/chat-client.js'].map(p => import(p)))"
                    + " .then(([store, text, session, profiles, client]) =>"
                    + " (async (store, text, session, profiles, client) => {" + spec
                    + "})(store, text, session, profiles, client))"
                    + " .then(done, e => done(['could not run: ' + e]));");
            assertEquals(List.of(), result, "the page modules broke their rules:\n" + result + "\n" + b.consoleLog());
        }
    }
}
