package dev.chat.node.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Every session of the node's pool runs without PostgreSQL's JIT, with generic plans and no sequential scan where an
 * index applies (application.properties says why). Its statements are short,
 * but a plan's estimates can cross {@code jit_above_cost} on grown tables, and then each execution compiled its plan
 * with LLVM anew: in the benchmark that was most of the sweeper's and the pending keeper's statement time
 * (docs/performance.md, seventh round). Generic plans: {@link dev.chat.node.delivery.GenericPlanTest} says why. Checked on several connections held at once, so
 * that not just the first one the pool opens is seen.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class SessionSettingsTest {
    @Inject
    Pool pool;

    @Test
    void everySessionOfThePoolRunsWithoutJit() {
        List<Uni<String>> sessions = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            // pg_sleep keeps each connection busy, so that the four run on four sessions of the pool.
            sessions.add(pool.query("SELECT current_setting('jit') || ' ' || current_setting('plan_cache_mode') || ' '"
                    + " || current_setting('enable_seqscan') AS s, pg_sleep(0.2)::text").execute()
                    .map(rows -> rows.iterator().next().getString("s")));
        }
        List<String> settings = Uni.join().all(sessions).andFailFast().await().atMost(Duration.ofSeconds(30));
        assertEquals(Collections.nCopies(4, "off force_generic_plan off"), settings);
    }
}
