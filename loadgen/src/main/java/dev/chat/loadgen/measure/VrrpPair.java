package dev.chat.loadgen.measure;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether a keepalived pair (or group) is steady, judged from the states its hosts report: exactly one host holds the
 * virtual IP and is MASTER, and every other host is BACKUP without it. scripts/drill waits for this (with every
 * server UP in both HAProxies) after restoring each fault, so that the next fault starts from a pair that can take
 * over again. The states are read by the script (its {@code --pair-state} entry: the last transition keepalived's
 * notify.sh logged, whether keepalived runs, whether the host's interface has the VIP); the verdict is made here.
 */
public final class VrrpPair {
    /** What a host reports: its name, keepalived's state (DOWN when keepalived does not run) and whether it has the VIP. */
    public record Host(String name, String state, boolean vip) {
    }

    private VrrpPair() {
    }

    /**
     * Reads the report of the drill's {@code --pair-state}: one line a host, {@code NAME STATE VIP}, where VIP is
     * {@code vip} or {@code -}; blank lines are skipped.
     *
     * @throws IllegalArgumentException for a line of another shape, naming it
     */
    public static List<Host> parse(String report) {
        List<Host> hosts = new ArrayList<>();
        for (String line : report.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.strip().split("\\s+");
            if (f.length != 3 || !(f[2].equals("vip") || f[2].equals("-"))) {
                throw new IllegalArgumentException("not NAME STATE vip|-: '" + line.strip() + "'");
            }
            hosts.add(new Host(f[0], f[1], f[2].equals("vip")));
        }
        return hosts;
    }

    /**
     * Null when the hosts are steady (at least two; exactly one holds the VIP and is MASTER; every other is BACKUP
     * without the VIP); otherwise every reason it is not, joined by "; ", each naming the host (e.g. "proxy2 FAULT,
     * not BACKUP", "the VIP on proxy1 and proxy2", "proxy1 keepalived not running").
     */
    public static String whyNot(List<Host> hosts) {
        if (hosts.size() < 2) {
            return "not a pair: " + hosts.size() + " host" + (hosts.size() == 1 ? "" : "s") + " reported";
        }
        List<String> why = new ArrayList<>();
        List<String> holders = new ArrayList<>();
        for (Host h : hosts) {
            if (h.vip()) {
                holders.add(h.name());
            }
        }
        if (holders.isEmpty()) {
            why.add("the VIP on no host");
        } else if (holders.size() > 1) {
            why.add("the VIP on " + String.join(" and ", holders));
        }
        for (Host h : hosts) {
            if (h.state().equals("DOWN")) {
                why.add(h.name() + " keepalived not running" + (h.vip() ? " (the VIP still on it)" : ""));
            } else if (h.vip() && !h.state().equals("MASTER")) {
                why.add(h.name() + " " + h.state() + " holding the VIP, not MASTER");
            } else if (!h.vip() && h.state().equals("MASTER")) {
                why.add(h.name() + " MASTER without the VIP");
            } else if (!h.vip() && !h.state().equals("BACKUP")) {
                why.add(h.name() + " " + h.state() + ", not BACKUP");
            }
        }
        return why.isEmpty() ? null : String.join("; ", why);
    }

    /** {@link #whyNot(List)} of a report in {@link #parse} form; an unreadable report is not steady, and says why. */
    public static String whyNot(String report) {
        try {
            return whyNot(parse(report));
        } catch (IllegalArgumentException e) {
            return "unreadable state: " + e.getMessage();
        }
    }
}
