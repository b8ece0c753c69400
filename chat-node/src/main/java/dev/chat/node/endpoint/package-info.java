/**
 * The socket endpoint, layer 10 (with {@code api}): {@code /ws/chat} ({@link dev.chat.node.endpoint.ChatSocket}),
 * what an upgrade must pass ({@link dev.chat.node.endpoint.UpgradeChecks}: token, origin, account; settings
 * {@code chat.socket.*} and {@code chat.jwt.*}), the token's expiry, its renewal on an open socket ({@code reauth}), the closing of sockets whose session was revoked, the {@code profile} notices of changed display names
 * and avatars to the sockets of the person's contacts ({@link dev.chat.node.endpoint.ProfileNotices}), and the release of the upgrade's request.
 * Turns frames into calls on delivery and the sockets layer; nothing below imports it.
 *
 * <p>Promises: no frame is read before the upgrade is authenticated; the user is the token's, whatever frames say;
 * a socket's frames are taken one after another, and a client's sends are stored in the order sent, yet no frame
 * waits for the store behind another: each send is answered within the store's bound of its arrival
 * ({@link dev.chat.node.endpoint.Inbound}); a socket
 * lives no longer than its token, or the last token of its own user it renewed itself with, nor (by about a second)
 * than its session.
 */
package dev.chat.node.endpoint;
