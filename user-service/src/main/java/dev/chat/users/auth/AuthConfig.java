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

    interface Jwt {
        /** {@code chat.jwt.issuer}: the {@code iss} claim, which every verifying service must expect. */
        @WithDefault("chat")
        String issuer();

        /** {@code chat.jwt.lifetime}: how long an issued token stays valid (ISO-8601 duration). */
        @WithDefault("PT1H")
        Duration lifetime();
    }

    interface Password {
        /** {@code chat.password.bcrypt-cost}: log2 of bcrypt's rounds; the library accepts 4 to 31. */
        @WithDefault("12")
        @Min(4)
        @Max(31)
        int bcryptCost();
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
         * {@code chat.login.trusted-proxies}: peers (CIDR blocks) whose {@code X-Forwarded-For} is believed: the
         * source is then its last address (the one the proxy added). From any other peer the source is the
         * peer's own address. Default: loopback and private networks, where HAProxy reaches the service from.
         */
        @WithDefault("127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7")
        List<String> trustedProxies();
    }
}
