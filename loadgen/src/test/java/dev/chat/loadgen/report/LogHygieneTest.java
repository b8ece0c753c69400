package dev.chat.loadgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogHygieneTest {
    @TempDir
    Path dir;

    @Test
    void cleanLogsPassAndTheirJsonLinesAreCounted() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Files.writeString(logs.resolve("chat-node-1.log"), "{\"msg\":\"accepted\",\"user\":\"u1\"}\n{\"msg\":\"pushed\"}\nplain line\n");
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("redis-password"), "s3cr3t-redis\n");
        LogHygiene.Result r = LogHygiene.scan(List.of(logs, dir.resolve("missing")), LogHygiene.secretsIn(secrets), List.of("pw-dr"));
        assertTrue(r.clean(), r.findings().toString());
        assertEquals(2, r.jsonLines());
        assertEquals(1, r.files());
    }

    @Test
    void aTokenASecretOrAForbiddenTextIsFoundAndNamed() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Files.writeString(logs.resolve("a.log"), "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib2IifQ.sig\n");
        Files.writeString(logs.resolve("b.log"), "connecting with s3cr3t-redis\nlogin pw-dr-abc\n");
        Files.writeString(logs.resolve("c.txt"), "s3cr3t-redis (not a log)\n");
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("redis-password"), "s3cr3t-redis\n");
        Files.writeString(secrets.resolve("tls.pem"), "plain line\n");
        LogHygiene.Result r = LogHygiene.scan(List.of(logs), LogHygiene.secretsIn(secrets), List.of("pw-dr"));
        assertFalse(r.clean());
        assertEquals(3, r.findings().size(), r.findings().toString());
        assertTrue(r.findings().get(0).endsWith("a.log (a JWT)"), r.findings().toString());
        assertTrue(r.findings().get(1).endsWith("b.log (redis-password)"), r.findings().toString());
        assertTrue(r.findings().get(2).endsWith("b.log (forbidden text 'pw-dr')"), r.findings().toString());
    }
}
