package dev.chat.loadgen.report;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The controller's observations as words: {@code key=value} pairs whose numbers stay numbers, and spans between two
 * epoch-millisecond readings written {@code @FROM..TO}, which become seconds with two decimals. The script reads
 * clocks; the durations are computed here.
 */
public final class Facts {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SPAN = Pattern.compile("@(\\d{1,15})\\.\\.(\\d{1,15})");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

    private Facts() {
    }

    /** The seconds from {@code fromMillis} to {@code toMillis}, rounded to two decimals (never negative). */
    public static double seconds(long fromMillis, long toMillis) {
        return Math.round(Math.max(0, toMillis - fromMillis) / 10.0) / 100.0;
    }

    /** {@code text} with every {@code @FROM..TO} span replaced by its seconds, e.g. {@code 1.25}. */
    public static String spans(String text) {
        Matcher m = SPAN.matcher(text);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            double s = seconds(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
            m.appendReplacement(b, String.format(Locale.ROOT, "%.2f", s));
        }
        m.appendTail(b);
        return b.toString();
    }

    private static final Pattern PAIR = Pattern.compile("([a-z][a-z0-9_]*)=(.*?)(?=\\s+[a-z][a-z0-9_]*=|\\s*$)");

    /**
     * A line of {@code key=value} pairs whose values may hold spaces (a value runs until the next
     * {@code key=}), e.g. {@code killed=pg-1 role_after=synchronous standby took=@1000..2500}, as {@link #parse}.
     * Text before the first pair is refused.
     */
    public static ObjectNode parseLine(String line) {
        String l = line.strip();
        java.util.List<String> words = new java.util.ArrayList<>();
        Matcher m = PAIR.matcher(l);
        int at = 0;
        while (at < l.length() && m.find(at) && m.start() == at) {
            words.add(m.group(1) + "=" + m.group(2));
            at = m.end();
            while (at < l.length() && Character.isWhitespace(l.charAt(at))) {
                at++;
            }
        }
        if (at < l.length()) {
            throw new IllegalArgumentException("not key=value: '" + l.substring(at) + "'");
        }
        return parse(words);
    }

    /**
     * The {@code key=value} words as one JSON object, in their order: a value that is a whole span becomes its
     * seconds (a number), a number stays a number, anything else (spans inside replaced) is a string. A word
     * without '=' is refused with the word named.
     */
    public static ObjectNode parse(Iterable<String> words) {
        ObjectNode o = JSON.createObjectNode();
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not key=value: '" + w + "'");
            }
            String k = w.substring(0, eq);
            String v = w.substring(eq + 1);
            Matcher span = SPAN.matcher(v);
            if (span.matches()) {
                o.put(k, seconds(Long.parseLong(span.group(1)), Long.parseLong(span.group(2))));
            } else if (NUMBER.matcher(v).matches()) {
                if (v.contains(".")) {
                    o.put(k, Double.parseDouble(v));
                } else {
                    o.put(k, Long.parseLong(v));
                }
            } else {
                o.put(k, spans(v));
            }
        }
        return o;
    }
}
