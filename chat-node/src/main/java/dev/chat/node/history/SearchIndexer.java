package dev.chat.node.history;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.chat.node.config.NodeIdentity;
import dev.chat.node.config.Timers;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Keeps search's index ({@code message_words}, V60) following the message log, off the hot path: on every node, a
 * pass ({@link IndexPass}) every {@code chat.search.index-interval}, the next one timed from the end of the last (so
 * a node runs one at a time, unless one is given up unanswered); across nodes one pass at a time (the pass's advisory lock). A failed pass (the
 * database away, a failover; one unanswered for 60 s counts as failed) is logged and the schedule goes on: search does not depend on it, it only gets slower
 * while the index lags ({@link MessageSearch} reads the unindexed tail from the log).
 *
 * <p>Started by the node's lifecycle once the tables are migrated ({@link #start()}); {@code off} never starts it.
 * Logs each pass that indexed something at debug (node, rows, watermark) and each rebuild at info.
 */
@Singleton
public class SearchIndexer {
    private static final Logger LOG = Logger.getLogger(SearchIndexer.class);
    /**
     * A pass that gives no answer (a database frozen or cut off) is given up after this, and the schedule goes on:
     * longer than the statement timeout a pass sets itself (30 s), so that a slow pass is not given up while running.
     */
    private static final Duration UNANSWERED = Duration.ofSeconds(60);

    private final IndexPass pass;
    private final Timers timers;
    private final Duration interval;
    private final String node;
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean failing;
    private volatile boolean stopped;

    @Inject
    SearchIndexer(PgIndexPass pass, Timers timers, NodeIdentity identity,
            @ConfigProperty(name = "chat.search.index-interval", defaultValue = "2s") String interval) {
        this((IndexPass) pass, timers, identity.id(), interval);
    }

    /** {@code interval}: a duration as {@code application.properties} writes it (500ms, 2s), or {@code off}. */
    public SearchIndexer(IndexPass pass, Timers timers, String node, String interval) {
        this.pass = pass;
        this.timers = timers;
        this.node = node;
        this.interval = "off".equals(interval) ? null : parse(interval);
    }

    private static Duration parse(String value) {
        String v = value.trim().toLowerCase();
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            }
            return Duration.parse(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("chat.search.index-interval must be a duration (500ms, 2s) or off, not '"
                    + value + "'");
        }
    }

    /** Begins the schedule (once; later calls do nothing). The first pass runs one interval from now. */
    public void start() {
        if (interval != null && started.compareAndSet(false, true)) {
            schedule();
        }
    }

    private void schedule() {
        timers.after(interval, () -> {
            if (stopped) {
                return;
            }
            pass.run().ifNoItem().after(UNANSWERED)
                    .failWith(() -> new IllegalStateException("no answer from PostgreSQL within "
                            + UNANSWERED.toSeconds() + " s"))
                    .subscribe().with(this::done, this::failed);
        });
    }

    /** The node stops: no pass begins after this (the database pool goes away with the node). */
    void stop(@Observes ShutdownEvent event) {
        stopped = true;
    }

    private void done(IndexPass.Outcome o) {
        if (failing) {
            failing = false;
            LOG.infof("search indexing works again on node %s", node);
        }
        if (o.rebuilt()) {
            LOG.infof(o.was() == null
                    ? "search index built from the start on node %s: none recorded (a new database, or PostgreSQL "
                            + "crashed or failed over, which empties it)"
                    : "search index built from the start on node %s: it was in %s", node, o.was());
        }
        if (o.ran() && o.rows() > 0) {
            LOG.debugf("search indexed on node %s: %d rows, through seq %d", node, o.rows(), o.through());
        }
        schedule();
    }

    private void failed(Throwable e) {
        if (!failing) {
            failing = true;
            LOG.infof("search indexing failed on node %s (tried again every %d ms; search stays exact): %s", node,
                    interval.toMillis(), e.toString());
        }
        schedule();
    }
}
