/**
 * The sockets open on this node, layer 8: by user ({@link dev.chat.node.sockets.LocalSockets}, written to through
 * {@link dev.chat.node.sockets.UserSockets}), with their back-pressure limits ({@code chat.limits.max-pending-writes},
 * {@code slow-consumer-grace}: {@link dev.chat.node.sockets.SocketLimits}), the budget of frames each socket may
 * send ({@link dev.chat.node.sockets.FrameRate}), and a socket's arrival and departure
 * ({@link dev.chat.node.sockets.SocketRegistry}). Imports {@code config} and {@code presence}; tells delivery of a
 * user's last socket closing through the {@link dev.chat.node.sockets.SocketEventHandler} handler.
 *
 * <p>Promises: a socket is in {@code LocalSockets} before its presence write is sent, and the count written to the
 * presence map last is the true one; a socket that does not take its frames, whatever they are (messages, notices,
 * replies to its own frames), is cut off (1008) instead of growing the node's memory.
 */
package dev.chat.node.sockets;
