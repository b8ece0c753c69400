package dev.chat.node.delivery;

/**
 * How far one user's backlog on this node has been read: the seq of the last message pushed from it, whether a read
 * is under way, and the user's acks since the last read began. Guarded by itself.
 *
 * <p>The next read is due when no read is under way and at most {@code lowWater} of the user's messages are in
 * flight here, and either none are or the user acked {@code lowWater / 2} since the last read: so a client acking
 * as it goes is pushed its next batch when it has acked half of the last, and a client whose socket had no room
 * (the push window) does not cause a read on every ack.
 */
public final class Backlog {
    private long after;
    private boolean reading;
    private int acks;

    Backlog(long after) {
        this.after = after;
    }

    /** Counts an ack; answers the seq to read after, and marks the read under way, when the next read is due. */
    synchronized long ackedDue(int inFlight, int lowWater) {
        acks++;
        if (reading || inFlight > lowWater || (inFlight > 0 && acks < Math.max(1, lowWater / 2))) {
            return -1;
        }
        reading = true;
        acks = 0;
        return after;
    }

    /** The read ended: the next reads after {@code seq}. */
    synchronized void read(long seq) {
        after = Math.max(after, seq);
        reading = false;
    }
}
