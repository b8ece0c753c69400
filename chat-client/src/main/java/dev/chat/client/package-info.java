/**
 * The Java client of the chat contract ({@code /work/shared/contract.md}, docs/protocol.md), the one loadgen and
 * the tests share. It owns, from the wire up:
 * <ul>
 * <li>{@link dev.chat.client.Frames} and {@link dev.chat.client.Frame}: the JSON text frames, written and read
 * (the codec every client here uses, the benchmark's lean path included);
 * <li>{@link dev.chat.client.Backoff}: the reconnect rule (exponential, full jitter);
 * <li>{@link dev.chat.client.Connector}: opens {@code /ws/chat} sockets to one system on a Vert.x event loop;
 * <li>{@link dev.chat.client.ChatSession}: one user's socket kept open as the contract asks of clients:
 * reconnect, heartbeat, every send retried with the same ID until acked, every msg acked, seen IDs dropped.
 * </ul>
 * It promises to speak the contract only (no server internals), and knows nothing of accounts, scenarios or
 * measurements: those stay with its users (loadgen's scenarios and benchmark, the system tests).
 */
package dev.chat.client;
