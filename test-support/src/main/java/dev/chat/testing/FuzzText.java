package dev.chat.testing;

import java.util.Random;

/** The text the seeded fuzzers (the frame fuzzer's and {@link RestFuzzer}) put where a string goes. */
public final class FuzzText {
    private FuzzText() {
    }

    /**
     * {@code n} characters from {@code r}: half printable ASCII, half anything below the surrogates (a text frame
     * or body is UTF-8, and no client can send half a character).
     */
    public static String random(Random r, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) (r.nextBoolean() ? 32 + r.nextInt(95) : r.nextInt(0xD000)));
        }
        return sb.toString();
    }

    /** {@code s} as the inside of a JSON string: quotes, backslashes and control characters escaped. */
    public static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
