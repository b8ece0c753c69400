package dev.chat.node.node;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Every knob of a chat node, under {@code chat.*} in application.properties. */
@ConfigMapping(prefix = "chat")
public interface ChatConfig {
    NodeSettings node();

    Delivery delivery();

    Presence presence();

    Jwt jwt();

    DrainSettings drain();

    Limits limits();

    RedisSettings redis();

    PostgresSettings postgres();

    /** Read where they are used (RedisMode); declared here so that the mapping knows every {@code chat.*} key. */
    interface RedisSettings {
        /** How long a Redis command or connect may wait for Redis before it fails as unavailable. */
        @WithDefault("2s")
        Duration callTimeout();

        /** Node channels as sharded channels (SSUBSCRIBE/SPUBLISH); unset: on a Redis Cluster only. */
        Optional<Boolean> shardedPubsub();
    }

    /** Read where it is used (PostgresCalls). */
    interface PostgresSettings {
        /** How long a PostgreSQL statement may go unanswered before it fails as unavailable. */
        @WithDefault("2s")
        Duration callTimeout();
    }

    interface Limits {
        /** Sends a user may make per second on one node, sustained (a token bucket)... */
        @WithDefault("20")
        double sendsPerSecond();

        /** ...and in a burst. */
        @WithDefault("60")
        int sendBurst();

        /**
         * Frames written to one socket that the network has not taken yet; past it the socket is cut off. Messages
         * stop being pushed to a socket at half of it (they wait in PostgreSQL for the next sweep).
         */
        @WithDefault("1000")
        int maxPendingWrites();

        /** How long a socket may take no message while messages wait for it before it is cut off as slow. */
        @WithDefault("10s")
        Duration slowConsumerGrace();

        /** Messages pushed to a user on this node and not acked yet; past it new ones wait in PostgreSQL. */
        @WithDefault("2000")
        int maxUnackedPerUser();
    }

    Socket socket();

    interface Socket {
        /**
         * Origins, besides the page's own (same host and port as the request), whose pages may open sockets:
         * e.g. {@code https://chat.example.com}. Upgrades without an Origin header (not from a browser) pass.
         */
        Optional<java.util.List<String>> allowedOrigins();
    }

    interface DrainSettings {
        /**
         * How long after SIGTERM the node closes its sockets: long enough for HAProxy's health check (every
         * second, two failures) to stop sending it new ones; shorter than {@code quarkus.shutdown.delay}.
         */
        @WithDefault("2500ms")
        Duration closeSocketsAfter();
    }

    interface Jwt {
        /** The {@code iss} user-service signs with; tokens from anyone else are refused. */
        @WithDefault("chat")
        String issuer();
    }

    interface NodeSettings {
        /** This node's id in the presence map and its Redis channel name; unique per running node. */
        Optional<String> id();

        /**
         * Migrate the schema while the rest of the node starts (readiness waits for it) rather than before:
         * the migration's half second is then no longer added to the time to ready. Tests turn it off, so that
         * the tables exist before their first request.
         */
        @WithDefault("true")
        boolean migrateInBackground();
    }

    interface Delivery {
        /** The longest accepted message body, in characters (documented in docs/protocol.md). */
        @WithDefault("4000")
        int maxBodyChars();

        /** How long a pushed message may stay unacked on an open socket before it is pushed again. */
        @WithDefault("5s")
        Duration redeliverAfter();

        /** How often the node looks in PostgreSQL for unacked messages of its users. */
        @WithDefault("2s")
        Duration sweepInterval();

        /** How many unacked messages one look fetches for a user; the rest follow as acks arrive. */
        @WithDefault("500")
        int pendingBatch();
    }

    interface Presence {
        /** How often the node refreshes its heartbeat; presence-service evicts a node silent for 5 s. */
        @WithDefault("1s")
        Duration heartbeatInterval();
    }
}
