package dev.chat.users.auth;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The {@code chat.*} settings of token issuing and password hashing. */
@ConfigMapping(prefix = "chat")
public interface AuthConfig {
    Jwt jwt();

    Password password();

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
}
