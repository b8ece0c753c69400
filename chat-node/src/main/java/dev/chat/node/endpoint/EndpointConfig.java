package dev.chat.node.endpoint;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** Who may open a socket, under {@code chat.socket.*}. */
@ConfigMapping(prefix = "chat.socket")
public interface EndpointConfig {
    /**
     * Origins, besides the page's own (same host and port as the request), whose pages may open sockets:
     * e.g. {@code https://chat.example.com}. Upgrades without an Origin header (not from a browser) pass.
     */
    Optional<List<String>> allowedOrigins();
}
