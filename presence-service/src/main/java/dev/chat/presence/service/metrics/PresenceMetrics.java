package dev.chat.presence.service.metrics;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What the sweeper learns each tick, exposed at /q/metrics. Gauges hold the last successful tick's values:
 * reading Redis from a metrics scrape would make the scrape fail or hang with Redis, and readiness already
 * says when Redis is gone.
 */
@ApplicationScoped
public class PresenceMetrics {
    private final AtomicLong liveNodes = new AtomicLong();
    private final AtomicLong staleNodes = new AtomicLong();
    private final AtomicLong liveSockets = new AtomicLong();

    @Inject
    MeterRegistry registry;

    private Counter evictions;
    private Counter sweepFailures;

    @PostConstruct
    void register() {
        Gauge.builder("chat.presence.nodes.live", liveNodes, AtomicLong::get)
                .description("Chat nodes with a fresh heartbeat").register(registry);
        Gauge.builder("chat.presence.nodes.stale", staleNodes, AtomicLong::get)
                .description("Chat nodes past their heartbeat TTL, awaiting eviction").register(registry);
        Gauge.builder("chat.presence.sockets", liveSockets, AtomicLong::get)
                .description("Presence entries (sockets) held by live chat nodes").register(registry);
        evictions = Counter.builder("chat.presence.evictions")
                .description("Dead chat nodes evicted by this instance").register(registry);
        sweepFailures = Counter.builder("chat.presence.sweep.failures")
                .description("Sweep ticks that failed, mostly because Redis was unreachable").register(registry);
    }

    public void observed(long live, long stale, long sockets) {
        liveNodes.set(live);
        staleNodes.set(stale);
        liveSockets.set(sockets);
    }

    public void evicted() {
        evictions.increment();
    }

    public void sweepFailed() {
        sweepFailures.increment();
    }
}
