package dev.chat.loadgen.scenario;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import dev.chat.client.ChatSession;
import dev.chat.loadgen.client.Endpoint;
import picocli.CommandLine.Option;

/** Options every scenario shares: where the system is, how many clients, how they behave. */
public final class ClientOptions {
    @Option(names = "--url", required = true, paramLabel = "URL",
            description = "the system's one entry point, e.g. https://10.0.0.10 or http://127.0.0.1:8080")
    String url;

    @Option(names = "--ca-cert", paramLabel = "PEM",
            description = "trust only the certificate(s) in this PEM file for https:// (e.g. the proxy's self-signed one)")
    Path caCert;

    @Option(names = "--clients", defaultValue = "20", description = "users, one socket each (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--interval", defaultValue = "250", paramLabel = "MS",
            description = "each client sends one message per interval to the next one in a ring (default: ${DEFAULT-VALUE} ms)")
    long intervalMillis;

    @Option(names = "--user-prefix", paramLabel = "PREFIX",
            description = "account names are PREFIX + RUN + '-' + index (default: lg)")
    String userPrefix = "lg";

    @Option(names = "--connect-timeout", defaultValue = "3000", paramLabel = "MS",
            description = "bound on a TCP connect plus WebSocket upgrade (default: ${DEFAULT-VALUE} ms)")
    long connectTimeoutMillis;

    @Option(names = "--ping-interval", defaultValue = "250", paramLabel = "MS",
            description = "WebSocket ping period of each client (default: ${DEFAULT-VALUE} ms)")
    long pingMillis;

    @Option(names = "--silence-timeout", defaultValue = "1500", paramLabel = "MS",
            description = "a socket that heard nothing (no frame, no pong) this long is given up (default: ${DEFAULT-VALUE} ms)")
    long silenceMillis;

    @Option(names = "--backoff-min", defaultValue = "50", paramLabel = "MS",
            description = "first reconnect delay; doubles per failure (default: ${DEFAULT-VALUE} ms)")
    long backoffMinMillis;

    @Option(names = "--backoff-max", defaultValue = "500", paramLabel = "MS",
            description = "longest reconnect delay (default: ${DEFAULT-VALUE} ms)")
    long backoffMaxMillis;

    @Option(names = "--resend-after", defaultValue = "6000", paramLabel = "MS",
            description = "an unacked send is written again after this long on the same socket (default: ${DEFAULT-VALUE} ms)")
    long resendMillis;

    final String runId = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36 * 36), 36);

    Endpoint endpoint() {
        return Endpoint.of(url, caCert, Duration.ofMillis(connectTimeoutMillis));
    }

    ChatSession.Options sessionOptions() {
        return new ChatSession.Options(Duration.ofMillis(connectTimeoutMillis), Duration.ofMillis(pingMillis),
                Duration.ofMillis(silenceMillis), Duration.ofMillis(backoffMinMillis), Duration.ofMillis(backoffMaxMillis),
                Duration.ofMillis(resendMillis));
    }

    String usersPrefix() {
        return userPrefix.toLowerCase(java.util.Locale.ROOT) + runId + "-";
    }

    void validate() {
        if (clients < 2) {
            throw new IllegalArgumentException("--clients must be at least 2 (they chat in a ring)");
        }
        if (!usersPrefix().matches("[a-z0-9_.-]{1,24}")) {
            throw new IllegalArgumentException("--user-prefix must be a few characters of [a-z0-9_.-]");
        }
        if (intervalMillis < 1 || pingMillis < 10 || silenceMillis <= pingMillis || backoffMinMillis < 1
                || backoffMaxMillis < backoffMinMillis) {
            throw new IllegalArgumentException("timings must be positive, silence > ping and backoff-max >= backoff-min");
        }
    }
}
