/**
 * What a run observes, as it happens: every message's life in the {@link Ledger} (sent, acked, delivered, shown
 * twice), latencies, connection events, the virtual IP's owner, the proxies' server lists, the login-limit probe,
 * the waits for a first answer, the per-second {@link Timeline}, and whether the stack is steady
 * ({@link Steadiness}; a keepalived pair's part of it: {@link VrrpPair}). Measures only: what the figures mean is decided
 * by {@code report} and the scenario commands.
 */
package dev.chat.loadgen.measure;
