package dev.chat.testing.quarkus;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

import dev.chat.testing.LocalRedisSentinel;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Redis master, replica and three Sentinels for one test class alone, which that class may kill and freeze at
 * will; the service's Redis client runs in sentinel mode against them.
 */
public class SentinelResource implements QuarkusTestResourceLifecycleManager {
    @Target(ElementType.FIELD)
    @Retention(RetentionPolicy.RUNTIME)
    public @interface InjectSentinel {
    }

    private LocalRedisSentinel redis;

    @Override
    public Map<String, String> start() {
        redis = LocalRedisSentinel.start();
        return redis.quarkusConfig();
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(redis,
                new TestInjector.AnnotatedAndMatchesType(InjectSentinel.class, LocalRedisSentinel.class));
    }

    @Override
    public void stop() {
        if (redis != null) {
            redis.close();
        }
    }
}
