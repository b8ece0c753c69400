package dev.chat.users.session;

import dev.chat.users.auth.IssuedToken;

/** What a sign-in or a refresh hands out: an access token and the session's next refresh token. */
public record SignedIn(IssuedToken access, RefreshToken refresh, String sessionId) {
}
