/**
 * The wire, layer 1 of chat-node (the lowest: it imports no other package of the node). Owns the frames of
 * {@code /ws/chat}: {@link dev.chat.node.protocol.FrameReader} turns client text into a
 * {@link dev.chat.node.protocol.ClientFrame} or a {@link dev.chat.node.protocol.FrameException},
 * {@link dev.chat.node.protocol.ServerFrames} writes every server frame, {@link dev.chat.node.protocol.ErrorCode}
 * holds every error code in one place, and {@link dev.chat.node.protocol.CloseCode} every close code, each with the
 * reconnect rule clients follow. Owns the setting {@code chat.delivery.max-body-chars} ({@link dev.chat.node.protocol.ProtocolConfig}).
 *
 * <p>Promises: every refusal names its code and, when the frame had a readable one, its ID, so the client can match
 * it; nothing here stores, routes or remembers anything; a frame is serialized once and shared by every socket.
 * The contract is /work/shared/contract.md, the extensions docs/protocol.md.
 */
package dev.chat.node.protocol;
