package dev.chat.node.sockets;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How much one socket may hold back, under {@code chat.limits.*} (what a user may cost delivery, under the same
 * prefix, is {@code delivery.DeliveryLimits}).
 */
@ConfigMapping(prefix = "chat.limits")
public interface SocketLimits {
    /**
     * Frames written to one socket that the network has not taken yet; past it the socket is cut off. Messages
     * stop being pushed to a socket at half of it (they wait in PostgreSQL for the next sweep).
     */
    @WithDefault("1000")
    int maxPendingWrites();

    /** How long a socket may take no message while messages wait for it before it is cut off as slow. */
    @WithDefault("10s")
    Duration slowConsumerGrace();

    /**
     * Frames of any type one socket may send per second, sustained ({@link FrameRate}): well above what a person
     * or the web client sends (pings every few seconds, sends at 20 a second, an ack per message received)...
     */
    @WithDefault("100")
    double framesPerSecond();

    /**
     * ...and at once: enough to ack a whole backlog pushed on reconnect (500 messages) at once. It is also how many
     * refused frames in a row close the socket as a flood.
     */
    @WithDefault("1000")
    int frameBurst();

    /**
     * Sockets one user may hold open on this node (a person's tabs and devices); an upgrade past it is refused
     * with HTTP 429 before it opens.
     */
    @WithDefault("16")
    int maxSocketsPerUser();

    /**
     * Appends (sends, edits, deletes) of one socket waiting for their turn: a socket's appends are stored one after
     * another, in order. Past it the next is answered {@code unavailable} at once. A live store takes them as fast
     * as they may come (20 sends a second); only a store that has stopped answering lets them pile up.
     */
    @WithDefault("100")
    int maxAppendsWaiting();

    /**
     * How long an append may go without an outcome before it is answered {@code unavailable}, once the store has
     * also been silent for {@link #storeSilentAfter()}. Shorter than the store call's own bound
     * ({@code chat.postgres.call-timeout}, 2 s) on purpose: the answer is then not the bound plus whatever a loaded
     * machine adds (timers and event loops running late, the frame's way through the proxy and back), so it reaches
     * the client within the 3-s target of docs/reliability.md with room to spare.
     */
    @WithDefault("1500ms")
    Duration answerWithin();

    /**
     * No PostgreSQL call of the node has succeeded for this long: the store counts as silent (frozen, cut off), not
     * merely slow. A slow store still answering keeps a socket's appends waiting their turn past
     * {@link #answerWithin()} (answering them {@code unavailable} would only turn a burst into retries). As long as
     * {@link #answerWithin()}: a send that came while the store was already silent is then answered at
     * {@link #answerWithin()}, and the longer the threshold the fewer gaps of a slow store on a loaded machine pass
     * for silence (1 s did, in {@code BatchedWritesTest} at load 60).
     */
    @WithDefault("1500ms")
    Duration storeSilentAfter();

    /**
     * Acks of one socket in flight to the store; past it an ack is not recorded (the message comes again). A whole
     * push window (500) and more fits.
     */
    @WithDefault("1000")
    int maxAcksInFlight();
}
