package dev.chat.users.auth;

import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The {@code chat.*} settings of token issuing and password hashing. */
@ConfigMapping(prefix = "chat")
public interface AuthConfig {
    Jwt jwt();

    Password password();

    Login login();

    Signup signup();

    Refresh refresh();

    /**
     * {@code chat.json.*}: declared here because this mapping owns the whole {@code chat} prefix and refuses unknown
     * keys; service-common's {@code JsonLimits} reads them as plain properties (it runs at static init, before mappings exist).
     */
    Json json();

    interface Json {
        /** {@code chat.json.max-depth}: levels of nesting of a JSON body. */
        @WithDefault("32")
        int maxDepth();

        /** {@code chat.json.max-string-chars}: characters of one JSON string. */
        @WithDefault("65536")
        int maxStringChars();

        /** {@code chat.json.max-number-chars}: characters of one JSON number. */
        @WithDefault("64")
        int maxNumberChars();
    }

    Http http();

    /** {@code chat.http.*}: request limits of this API. */
    interface Http {
        /**
         * {@code chat.http.json-max-body}: the largest body of any request but an avatar upload (which may reach
         * {@code quarkus.http.limits.max-body-size}); read by service-common's {@code BodyLimit}, with the avatar's path in
         * {@code chat.http.large-body-paths}.
         */
        @WithDefault("16K")
        String jsonMaxBody();

        /** {@code chat.http.large-body-paths}: the exact paths allowed past {@code jsonMaxBody} (the avatar upload). */
        List<String> largeBodyPaths();
    }

    interface Jwt {
        /** {@code chat.jwt.issuer}: the {@code iss} claim, which every verifying service must expect. */
        @WithDefault("chat")
        String issuer();

        /**
         * {@code chat.jwt.lifetime}: how long an issued access token stays valid (ISO-8601 duration); short, since
         * the refresh token renews it.
         */
        @WithDefault("PT10M")
        Duration lifetime();

        /**
         * {@code chat.jwt.operators}: the accounts (usernames, comma-separated) whose tokens also carry the
         * {@code operator} group, which presence-service's node listing requires. Set by whoever runs the stack
         * ({@code CHAT_JWT_OPERATORS}); none by default.
         */
        java.util.Optional<List<String>> operators();
    }

    interface Password {
        /** {@code chat.password.bcrypt-cost}: log2 of bcrypt's rounds; the library accepts 4 to 31. */
        @WithDefault("12")
        @Min(4)
        @Max(31)
        int bcryptCost();

        /** {@code chat.password.hash-threads}: threads that run bcrypt ({@link HashingPool}); 0 = one per core. */
        @WithDefault("0")
        @Min(0)
        int hashThreads();

        /**
         * {@code chat.password.hash-queue}: hashing jobs that may wait for a thread; past it sign-ups and logins
         * are answered 503 with Retry-After at once.
         */
        @WithDefault("32")
        @Min(1)
        int hashQueue();

        /**
         * {@code chat.password.hash-max-wait}: a hashing job that would wait longer than this for a thread (estimated
         * from the mean time of recent jobs) is refused like one finding the queue full: well under HAProxy's
         * {@code timeout queue}: a login storm is answered by the service (503 busy, quickly) rather than piling up in
         * it until requests waiting in HAProxy's queue time out there.
         */
        @WithDefault("PT2S")
        Duration hashMaxWait();
    }

    /** {@code chat.login.*}: login throttling ({@link LoginThrottle}). */
    interface Login {
        /** {@code chat.login.enabled}: throttle at all. */
        @WithDefault("true")
        boolean enabled();

        /** {@code chat.login.account-failures}: failed logins of one account within the window before 429. */
        @WithDefault("5")
        @Min(1)
        int accountFailures();

        /** {@code chat.login.source-failures}: failed logins from one source address within the window before 429. */
        @WithDefault("20")
        @Min(1)
        int sourceFailures();

        /** {@code chat.login.window}: the sliding window the failures are counted over. */
        @WithDefault("PT1M")
        Duration window();

        /** {@code chat.login.max-tracked}: accounts (and, apart, sources) remembered at most; bounds the memory. */
        @WithDefault("100000")
        @Min(100)
        int maxTracked();

        /**
         * {@code chat.login.max-waiting}: logins waiting, at most, for attempts in flight on the same account or
         * source to end (a full limit of attempts in flight makes the next one wait, not fail); past it 429.
         */
        @WithDefault("1000")
        @Min(1)
        int maxWaiting();

        /**
         * {@code chat.login.max-wait}: how long a login waits at most for attempts in flight; then it is refused
         * with 429 and a Retry-After of a second, rather than held until the proxy gives up.
         */
        @WithDefault("PT3S")
        Duration maxWait();

        /**
         * {@code chat.login.trusted-proxies}: peers (CIDR blocks) whose {@code X-Forwarded-For} is believed: the
         * source is then its last address (the one the proxy added). From any other peer the source is the
         * peer's own address. Default: loopback and private networks, where HAProxy reaches the service from.
         */
        @WithDefault("127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7")
        List<String> trustedProxies();
    }

    /** {@code chat.signup.*}: anonymous sign-ups per source address ({@code SignupThrottle}). */
    interface Signup {
        /** {@code chat.signup.enabled}: throttle at all. */
        @WithDefault("true")
        boolean enabled();

        /** {@code chat.signup.source-limit}: sign-ups from one source address within the window before 429. */
        @WithDefault("20")
        @Min(1)
        int sourceLimit();

        /** {@code chat.signup.window}: the sliding window they are counted over. */
        @WithDefault("PT1M")
        Duration window();
    }

    /** {@code chat.refresh.*}: refresh tokens ({@code Sessions}). */
    interface Refresh {
        /** {@code chat.refresh.lifetime}: how long a refresh token stays valid unused; each use makes a new one. */
        @WithDefault("P30D")
        Duration lifetime();

        /**
         * {@code chat.refresh.cookie-secure}: when the refresh cookie gets {@code Secure}: {@code auto} when the
         * request came over HTTPS (the request itself, or {@code X-Forwarded-Proto: https} from the proxy),
         * {@code always}, or {@code never}.
         */
        @WithDefault("auto")
        String cookieSecure();
    }
}
