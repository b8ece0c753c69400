package dev.chat.common;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class UsernamesTest {
    @Test
    void acceptsExactlyTheContractsRule() {
        for (String ok : List.of("bob", "alice_01", "a.b-c", "x".repeat(32), "0_0")) {
            assertTrue(Usernames.isValid(ok), ok);
        }
        for (String bad : List.of("", "ab", "x".repeat(33), "Bob", "al ice", "al:ice", "al*", "ålice", "al\u0000ice",
                "bob'--", "a/b", "ａｂｃ")) {
            assertFalse(Usernames.isValid(bad), bad);
        }
        assertFalse(Usernames.isValid(null));
    }

    /** The loop agrees with the rule as a regular expression on every string of a small alphabet. */
    @Test
    void agreesWithTheRegularExpression() {
        Pattern rule = Pattern.compile("[a-z0-9_.-]{3,32}");
        char[] alphabet = { 'a', 'z', '0', '9', '_', '.', '-', 'A', ' ', ':', '{', '`', '/', 'é' };
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder();
            int n = random.nextInt(36);
            for (int j = 0; j < n; j++) {
                s.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String name = s.toString();
            if (rule.matcher(name).matches() != Usernames.isValid(name)) {
                throw new AssertionError("disagree on '" + name + "'");
            }
        }
    }
}
