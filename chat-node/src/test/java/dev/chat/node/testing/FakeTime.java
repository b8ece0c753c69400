package dev.chat.node.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import dev.chat.node.config.TimeSource;

/** A {@link TimeSource} that moves only when told to: both clocks advance together. */
public final class FakeTime implements TimeSource {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

    @Override
    public long nanos() {
        return nanos.get();
    }

    @Override
    public long millis() {
        return millis.get();
    }

    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
        millis.addAndGet(d.toMillis());
    }
}
