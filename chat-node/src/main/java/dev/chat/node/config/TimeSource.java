package dev.chat.node.config;

/**
 * The node's two clocks, injected rather than read from {@link System} so that unit tests can move time by hand
 * (see {@code dev.chat.node.testing.FakeTime} in the tests). {@link SystemTime} is the bean the node runs on.
 */
public interface TimeSource {
    /** Monotonic nanoseconds for measuring intervals, as {@link System#nanoTime()}: only differences mean anything. */
    long nanos();

    /** Milliseconds since the epoch, for timestamps, as {@link System#currentTimeMillis()}. */
    long millis();
}
