package dev.chat.node.config;

import jakarta.inject.Singleton;

/** {@link TimeSource} on the system clocks: what a running node uses. */
@Singleton
public class SystemTime implements TimeSource {
    @Override
    public long nanos() {
        return System.nanoTime();
    }

    @Override
    public long millis() {
        return System.currentTimeMillis();
    }
}
