package dev.chat.loadgen.bench;

/**
 * The IDs the benchmark gives its messages: a user's prefix and the message's sequence number, which the tool reads
 * back from acks, deliveries and errors. By default as short as that ({@code b1x2.17.4711}, 10 to 14 characters).
 * With a length, as long as that (36: a UUID's, what the web client sends, {@code crypto.randomUUID()}): a run of hex
 * digits between prefix and number, the same for every write of one message (a resend keeps its ID) and spread like
 * random ones, so the store's dedup index takes them as it takes UUIDs: at random places, not at the end of each
 * sender's range. The store's bytes per message depend on both (docs/performance.md).
 */
final class MessageIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private MessageIds() {
    }

    /**
     * Message {@code seq}'s ID for the user of {@code prefix} (which ends with '.'), {@code length} characters long
     * when that leaves room for at least one filler digit, else prefix and number alone.
     */
    static String id(String prefix, long seq, int length) {
        String number = Long.toString(seq);
        int filler = length - prefix.length() - 1 - number.length();
        if (filler < 1) {
            return prefix + number;
        }
        StringBuilder id = new StringBuilder(length).append(prefix);
        long h = prefix.hashCode() * 0x9E3779B97F4A7C15L + seq;
        for (int i = 0; i < filler; i++) {
            if (i % 16 == 0) {
                h = mix(h + i);
            }
            id.append(HEX[(int) (h >>> (60 - 4 * (i % 16))) & 15]);
        }
        return id.append('.').append(number).toString();
    }

    /** The sequence number of an ID {@link #id} made for this prefix, or -1 for any other string. */
    static long seq(String prefix, String id) {
        if (id == null || !id.startsWith(prefix)) {
            return -1;
        }
        int from = Math.max(prefix.length(), id.lastIndexOf('.') + 1);
        try {
            return Long.parseLong(id, from, id.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** SplitMix64's finalizer: neighbouring inputs, unrelated outputs. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
