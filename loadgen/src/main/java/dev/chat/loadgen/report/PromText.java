package dev.chat.loadgen.report;

import java.util.Locale;

/** Readings of the Prometheus text format (what each service's /q/metrics and HAProxy's /metrics answer). */
public final class PromText {
    private PromText() {
    }

    /**
     * The value of metric {@code name} summed over its series, e.g. {@code chat_sockets_open} or a series with its
     * labels, {@code haproxy_frontend_current_sessions{proxy="chat"}}; "-" when the text has none of it (the service
     * did not answer, or does not have that metric). Whole numbers print without decimals.
     */
    public static String sum(String text, String name) {
        double v = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            if (sp < 0) {
                continue;
            }
            String series = line.substring(0, line.indexOf(' ') < 0 ? sp : line.indexOf(' '));
            if (series.equals(name) || series.startsWith(name + "{")
                    || (name.endsWith("}") && series.startsWith(name.substring(0, name.length() - 1) + ","))) {
                try {
                    v += Double.parseDouble(line.substring(sp + 1).trim());
                    found = true;
                } catch (NumberFormatException e) {
                    // a line of another shape: not a sample
                }
            }
        }
        if (!found) {
            return "-";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%g", v);
    }
}
