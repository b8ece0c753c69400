package dev.chat.presence.service;

import java.util.Map;

import dev.chat.testing.LocalRedis;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Redis for the integration tests: the server CI provides when CHAT_IT_REDIS_URL is set (a service
 * container next to the native binary), otherwise the tests' own loopback server.
 */
public class ItRedis implements QuarkusTestResourceLifecycleManager {
    static String url() {
        String url = System.getenv("CHAT_IT_REDIS_URL");
        return url == null || url.isBlank() ? LocalRedis.shared().url() : url;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.redis.hosts", url());
    }

    @Override
    public void stop() {
    }
}
