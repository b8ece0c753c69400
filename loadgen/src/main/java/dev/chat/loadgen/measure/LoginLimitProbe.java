package dev.chat.loadgen.measure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A client of its own address that trips the proxy's login rate limit and asks again later: the drill's check
 * that the limit survives a takeover (HAProxy peers share the stick tables between the twins). Each attempt is
 * one {@code POST /api/auth/login} with an empty JSON object on a new connection from {@code from} (so the
 * limit counts this address, not the drill's chatting clients' one); the service answers such a body 400 at
 * once, the proxy 429 {@code rate_limited} once the address is over its limit (user-service's own login throttle
 * answers 429 {@code too_many_attempts}, which does not count here). Plain HTTP/1.1 over a socket: the JDK's HTTP
 * client cannot choose its source address.
 */
public final class LoginLimitProbe {
    /**
     * One answer: its HTTP status (-1: none), the proxy that gave it (header X-Proxy; null when none) and the
     * body's {@code error} code (null when none).
     */
    public record Answer(int status, String proxy, String error) {
        /** The proxy's rate limit said no (not the service's own throttle). */
        public boolean limited() {
            return status == 429 && "rate_limited".equals(error);
        }
    }

    private static final Pattern ERROR = Pattern.compile("\"error\"\\s*:\\s*\"([a-z_]+)\"");

    /** What tripping the limit took: the attempts sent and the answer that said 429 (or the last one). */
    public record Tripped(int attempts, Answer last) {
    }

    private final URI base;
    private final SSLContext tls;
    private final InetAddress from;
    private final int timeoutMillis;

    /** {@code base}: the entry point (http:// or https://); {@code tls}: its trust (https only); {@code from}: the source. */
    public LoginLimitProbe(URI base, SSLContext tls, InetAddress from, int timeoutMillis) {
        this.base = base;
        this.tls = tls;
        this.from = from;
        this.timeoutMillis = timeoutMillis;
    }

    /** Attempts until one is answered 429, at most {@code maxAttempts}; the answer tells whether it got there. */
    public Tripped trip(int maxAttempts) {
        Answer last = new Answer(-1, null, null);
        for (int i = 1; i <= maxAttempts; i++) {
            last = attempt();
            if (last.limited()) {
                return new Tripped(i, last);
            }
        }
        return new Tripped(maxAttempts, last);
    }

    /**
     * Attempts until a proxy other than {@code notFrom} answers (the VIP moving over), at most until
     * {@code deadlineNanos}; that answer, or the last one (status -1 when nobody answered).
     */
    public Answer askOther(String notFrom, long deadlineNanos) {
        Answer a;
        do {
            a = attempt();
            if (a.status() > 0 && a.proxy() != null && !a.proxy().equals(notFrom)) {
                return a;
            }
        } while (System.nanoTime() < deadlineNanos);
        return a;
    }

    /** One login attempt; never throws (a failed connection is status -1). */
    public Answer attempt() {
        boolean https = "https".equals(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : https ? 443 : 80;
        String host = base.getHost();
        try (Socket plain = new Socket()) {
            plain.bind(new InetSocketAddress(from, 0));
            plain.setSoTimeout(timeoutMillis);
            plain.connect(new InetSocketAddress(host, port), timeoutMillis);
            Socket s = plain;
            if (https) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
                SSLParameters p = ssl.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(p);
                ssl.startHandshake();
                s = ssl;
            }
            String body = "{}";
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/auth/login HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: chat-limit-probe\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n"
                    + body).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            String statusLine = in.readLine();
            if (statusLine == null || !statusLine.startsWith("HTTP/") || statusLine.length() < 12) {
                return new Answer(-1, null, null);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            String proxy = null;
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("x-proxy")) {
                    proxy = line.substring(colon + 1).trim();
                }
            }
            StringBuilder reply = new StringBuilder();
            char[] buf = new char[1024];
            int n;
            while (reply.length() < 4096 && (n = in.read(buf)) > 0) {
                reply.append(buf, 0, n);
            }
            Matcher m = ERROR.matcher(reply);
            return new Answer(status, proxy, m.find() ? m.group(1) : null);
        } catch (IOException | RuntimeException e) {
            return new Answer(-1, null, null);
        }
    }
}
