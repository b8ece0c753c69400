/**
 * Token checks every service shares: the verification key must be configured ({@link JwtKeyCheck}), and a verifying
 * service refuses tokens of revoked sessions ({@link RevokedSessionCheck}, turned on per service), answered from an
 * in-memory view ({@link RevokedSessionView}) that reads its {@link RevokedSessionSource} (PostgreSQL:
 * {@link PgRevokedSessions}) at most once per its staleness bound; the view also tells its
 * {@link RevokedSessionView.Listener}s of each newly revoked session (chat-node closes those sessions' sockets). Owns
 * no table; reads user-service's view {@code revoked_sessions}.
 */
package dev.chat.common.security;
