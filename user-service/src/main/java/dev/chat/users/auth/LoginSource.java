package dev.chat.users.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * The source address a login is throttled by: the peer's address, or, when the peer is a trusted proxy
 * ({@code chat.login.trusted-proxies}), the last address of {@code X-Forwarded-For}, the one that proxy added
 * (HAProxy's {@code option forwardfor} appends the client's address; anything before it came from the client and
 * is ignored).
 */
@Singleton
public class LoginSource {
    private static final Pattern IP_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private record Block(byte[] network, int bits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Block> trusted = new ArrayList<>();

    @Inject
    public LoginSource(AuthConfig config) {
        this(config.login().trustedProxies());
    }

    public LoginSource(List<String> cidrs) {
        for (String cidr : cidrs) {
            String c = cidr.trim();
            if (c.isEmpty()) {
                continue;
            }
            int slash = c.indexOf('/');
            byte[] net = parse(slash < 0 ? c : c.substring(0, slash));
            if (net == null) {
                throw new IllegalArgumentException("chat.login.trusted-proxies: not an address or CIDR block: " + c);
            }
            int bits = slash < 0 ? net.length * 8 : Integer.parseInt(c.substring(slash + 1));
            if (bits < 0 || bits > net.length * 8) {
                throw new IllegalArgumentException("chat.login.trusted-proxies: bad prefix length in " + c);
            }
            trusted.add(new Block(net, bits));
        }
    }

    /**
     * The source of a request from {@code peer} (the TCP peer's address) carrying these {@code X-Forwarded-For}
     * header values (each may hold a comma-separated list), in the order received.
     */
    public String of(String peer, List<String> forwardedFor) {
        byte[] p = parse(peer);
        String own = p == null ? String.valueOf(peer) : canonical(p);
        if (p == null || forwardedFor == null || forwardedFor.isEmpty() || !isTrusted(p)) {
            return own;
        }
        String last = null;
        for (String header : forwardedFor) {
            if (header == null) {
                continue;
            }
            for (String part : header.split(",")) {
                if (!part.isBlank()) {
                    last = part.trim();
                }
            }
        }
        byte[] client = last == null ? null : parse(last);
        return client == null ? own : canonical(client);
    }

    boolean isTrusted(byte[] address) {
        for (Block b : trusted) {
            if (b.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The address as bytes (an IPv4-mapped IPv6 address as its IPv4 form), or null when it is not a literal. */
    static byte[] parse(String text) {
        if (text == null) {
            return null;
        }
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        int zone = t.indexOf('%');
        if (zone >= 0) {
            t = t.substring(0, zone);
        }
        // Only literals: InetAddress.getByName would resolve a host name through DNS.
        if (!IP_CHARS.matcher(t).matches() || !(t.contains(":") || t.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
            return null;
        }
        try {
            return InetAddress.getByName(t).getAddress();
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }

    private static String canonical(byte[] address) {
        try {
            return InetAddress.getByAddress(address).getHostAddress();
        } catch (UnknownHostException e) {
            return "?";
        }
    }
}
