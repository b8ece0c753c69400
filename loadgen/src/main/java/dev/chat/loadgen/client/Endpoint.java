package dev.chat.loadgen.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import dev.chat.client.Connector;

/**
 * The system's one entry point (the contract's base URL, e.g. {@code https://10.0.0.10} or
 * {@code http://127.0.0.1:8080}) and the HTTP client every session shares. With a CA file, TLS trusts only
 * the certificates in it (a self-signed proxy certificate is its own CA); host names and IP addresses are
 * verified against the certificate as usual. Accounts go through the JDK's HTTP client; the chat sockets of every
 * session through one {@link Connector} (one Vert.x event loop), made on first use and kept for the process's life
 * (loadgen's commands end by halting the JVM).
 */
public final class Endpoint {
    private final URI base;
    private final HttpClient http;
    private final Path caCert;
    private final Duration connectTimeout;
    private Connector sockets;

    private Endpoint(URI base, HttpClient http, Path caCert, Duration connectTimeout) {
        this.base = base;
        this.http = http;
        this.caCert = caCert;
        this.connectTimeout = connectTimeout;
    }

    public static Endpoint of(String baseUrl, Path caCert, Duration connectTimeout) {
        URI uri = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("the base URL must be http:// or https://, not " + baseUrl);
        }
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER);
        if (caCert != null) {
            b.sslContext(trusting(caCert));
        }
        return new Endpoint(uri, b.build(), caCert, connectTimeout);
    }

    /** An SSL context that trusts exactly the PEM certificates in {@code caCert}. */
    public static SSLContext trusting(Path caCert) {
        try (InputStream in = Files.newInputStream(caCert)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + caCert);
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the CA certificate " + caCert + ": " + e.getMessage(), e);
        }
    }

    public URI base() {
        return base;
    }

    /** {@code base + path}, path starting with a slash. */
    public URI api(String path) {
        return URI.create(base + path);
    }

    /** The chat socket: {@code ws(s)://host:port/ws/chat}. */
    public URI socket() {
        String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + base.toString().substring(base.getScheme().length()) + "/ws/chat");
    }

    public HttpClient http() {
        return http;
    }

    /** The connector every chat session of this endpoint opens its socket with (same TLS trust as {@link #http()}). */
    public synchronized Connector sockets() {
        if (sockets == null) {
            sockets = Connector.of(socket(), caCert, connectTimeout);
        }
        return sockets;
    }

    @Override
    public String toString() {
        return base.toString();
    }
}
