package dev.chat.node.config;

import java.time.Duration;

/** Runs a task once after a delay, on any thread: Vert.x's timers on the node ({@link VertxTimers}), a hand-moved clock in tests. */
public interface Timers {
    void after(Duration delay, Runnable task);
}
