package dev.chat.node.config;

import java.time.Duration;

import jakarta.inject.Singleton;

import io.vertx.mutiny.core.Vertx;

/** {@link Timers} on Vert.x: a task runs on an event loop, never blocks one while waiting. */
@Singleton
public class VertxTimers implements Timers {
    private final Vertx vertx;

    VertxTimers(Vertx vertx) {
        this.vertx = vertx;
    }

    @Override
    public void after(Duration delay, Runnable task) {
        vertx.setTimer(Math.max(1, delay.toMillis()), id -> task.run());
    }
}
