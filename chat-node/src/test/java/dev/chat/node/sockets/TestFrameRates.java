package dev.chat.node.sockets;

import dev.chat.node.config.TimeSource;
import dev.chat.node.testing.Settings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** A {@link FrameRate} with application.properties' limits, for tests of other packages. */
public final class TestFrameRates {
    private TestFrameRates() {
    }

    public static FrameRate of(TimeSource time) {
        return new FrameRate(Settings.sockets(), time, new SimpleMeterRegistry());
    }
}
