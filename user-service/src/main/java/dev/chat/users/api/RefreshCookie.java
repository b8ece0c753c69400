package dev.chat.users.api;

import jakarta.inject.Singleton;
import jakarta.ws.rs.core.NewCookie;

import dev.chat.users.auth.AuthConfig;
import dev.chat.users.session.RefreshToken;
import io.vertx.core.http.HttpServerRequest;

/**
 * Where a browser keeps its refresh token: a cookie page scripts cannot read ({@code HttpOnly}), sent only to
 * {@code /api/auth} ({@code Path}), never on a request another site starts ({@code SameSite=Strict}, which also
 * keeps other sites from refreshing or logging out on the person's behalf), and only over HTTPS ({@code Secure})
 * when the request came over HTTPS. The local stack's plain-HTTP front end is loopback-only; a browser there would
 * drop a {@code Secure} cookie set over {@code http://127.0.0.1}, so {@code auto} leaves it off there
 * ({@code chat.refresh.cookie-secure}).
 */
@Singleton
public class RefreshCookie {
    public static final String NAME = "chat_refresh";
    public static final String PATH = "/api/auth";

    private final String secure;

    public RefreshCookie(AuthConfig config) {
        this.secure = config.refresh().cookieSecure();
    }

    /** The cookie that hands {@code token} to the client, living as long as the token. */
    NewCookie of(RefreshToken token, HttpServerRequest request) {
        long maxAge = Math.max(0, token.expiresAt() - System.currentTimeMillis() / 1000);
        return build(token.value(), (int) Math.min(Integer.MAX_VALUE, maxAge), request);
    }

    /** The cookie that makes the client forget its refresh token. */
    NewCookie cleared(HttpServerRequest request) {
        return build("", 0, request);
    }

    private NewCookie build(String value, int maxAge, HttpServerRequest request) {
        return new NewCookie.Builder(NAME).value(value).path(PATH).maxAge(maxAge).httpOnly(true)
                .secure(secure(request)).sameSite(NewCookie.SameSite.STRICT).build();
    }

    private boolean secure(HttpServerRequest request) {
        return switch (secure) {
            case "always" -> true;
            case "never" -> false;
            default -> request.isSSL() || "https".equalsIgnoreCase(request.getHeader("X-Forwarded-Proto"));
        };
    }
}
