package dev.chat.presence.service.sweep;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

/** When the sweeper last started a tick; liveness reads it to notice a scheduler that stopped. */
@ApplicationScoped
public class SweepClock {
    private final AtomicLong lastTickStarted = new AtomicLong(System.currentTimeMillis());

    void tickStarted(long nowMillis) {
        lastTickStarted.set(nowMillis);
    }

    public long lastTickStarted() {
        return lastTickStarted.get();
    }
}
