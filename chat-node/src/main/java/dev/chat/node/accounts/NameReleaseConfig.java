package dev.chat.node.accounts;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The release of deleted accounts' names, under {@code chat.name-release.*}. */
@ConfigMapping(prefix = "chat.name-release")
public interface NameReleaseConfig {
    /**
     * How often each node looks for pending releases ({@link NameReleases}' schedule reads it): a deleted name is
     * registrable again within about this long. A duration, or {@code off} (the module's tests release by hand).
     */
    @WithDefault("5s")
    String interval();

    /**
     * The bound of one release's transaction (PostgreSQL's statement_timeout for each of its statements, and the
     * whole transaction's answer): an account with a long history rewrites many rows, more than a hot-path call.
     * A release past it is rolled back and tried again at the next look.
     */
    @WithDefault("30s")
    Duration timeout();

    /** At most this many releases per look, so one look never holds the scheduler for long. */
    @WithDefault("20")
    int batch();
}
