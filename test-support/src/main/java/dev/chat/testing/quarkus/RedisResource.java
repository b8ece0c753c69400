package dev.chat.testing.quarkus;

import java.util.Map;

import dev.chat.testing.LocalRedis;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Points a service's Redis client at the shared test server. */
public class RedisResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return Map.of("quarkus.redis.hosts", LocalRedis.shared().url());
    }

    @Override
    public void stop() {
        // Shared by every test class of the JVM and removed by its shutdown hook.
    }
}
