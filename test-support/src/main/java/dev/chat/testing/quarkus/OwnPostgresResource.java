package dev.chat.testing.quarkus;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

import dev.chat.testing.LocalPostgres;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** A PostgreSQL cluster for one test class alone, which that class may stop and restart at will. */
public class OwnPostgresResource implements QuarkusTestResourceLifecycleManager {
    @Target(ElementType.FIELD)
    @Retention(RetentionPolicy.RUNTIME)
    public @interface InjectPostgres {
    }

    private LocalPostgres pg;

    @Override
    public Map<String, String> start() {
        pg = LocalPostgres.start();
        return PostgresResource.datasource(pg);
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(pg, new TestInjector.AnnotatedAndMatchesType(InjectPostgres.class, LocalPostgres.class));
    }

    @Override
    public void stop() {
        if (pg != null) {
            pg.close();
        }
    }
}
