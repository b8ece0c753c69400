package dev.chat.loadgen.report;

/**
 * Every message the clients saw acked is in the message log exactly once: the verdict over the controller's query
 * answer {@code TOTAL|MISSING|TWICE} (acked IDs looked up, how many of them are not stored, how many are stored more
 * than once). Anything else the controller hands over (its query failed, say) is a failed check with that text.
 */
public record StoreCheck(long acked, long missing, long storedTwice, String error) {
    /** Reads the controller's answer; never throws. */
    public static StoreCheck parse(String answer) {
        String a = answer == null ? "" : answer.strip();
        String[] f = a.split("\\|");
        if (f.length == 3) {
            try {
                return new StoreCheck(Long.parseLong(f[0].strip()), Long.parseLong(f[1].strip()),
                        Long.parseLong(f[2].strip()), null);
            } catch (NumberFormatException e) {
                // falls through: not the query's answer
            }
        }
        return new StoreCheck(-1, -1, -1, a.isEmpty() ? "no answer from the message log" : a);
    }

    /** Passes when the query answered, found acked IDs, and none is missing or stored twice. */
    public boolean ok() {
        return error == null && acked > 0 && missing == 0 && storedTwice == 0;
    }

    /** One line for the report. */
    public String describe() {
        if (error != null) {
            return "store check: FAIL: could not read the message log: " + error;
        }
        if (acked <= 0) {
            return "store check: FAIL: the clients saw no message acked";
        }
        return ok() ? "store check: all " + acked + " acked messages are in the message log on the primary, each once"
                : "store check: FAIL: of " + acked + " acked messages, " + missing
                        + " are missing from the message log on the primary and " + storedTwice + " are stored more than once";
    }
}
