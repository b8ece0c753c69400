/**
 * What the whole node shares, layer 2: its identity ({@link dev.chat.node.config.NodeIdentity}, settings
 * {@code chat.node.*} in {@link dev.chat.node.config.NodeConfig}), its clocks
 * ({@link dev.chat.node.config.TimeSource}, injected so tests can move time) and timers
 * ({@link dev.chat.node.config.Timers}, the same) and its structured log lines
 * ({@link dev.chat.node.config.ChatLog}). Imports no other package of the node.
 *
 * <p>Every other package owns its own settings (one {@code @ConfigMapping} each: {@code ProtocolConfig}, {@code DeliveryConfig},
 * {@code DeliveryLimits}, {@code SocketLimits}, {@code PresenceConfig}, {@code EndpointConfig}, {@code JwtConfig},
 * {@code DrainConfig}); the keys in application.properties are unchanged. Promises: a log line about a user or a
 * message carries them as fields and never carries a token or a body.
 */
package dev.chat.node.config;
