package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Health, metrics and the OpenAPI document live on each service's management port only (quarkus.management.*), on the real stack: the
 * public port of every service answers 404 for {@code /q/...}, the management port serves them, and no spelling of
 * the path through HAProxy's front end reaches a service's internals (before, {@code /%71/metrics} and
 * {@code //q/health} answered 200 with metrics and health details).
 */
@ResourceLock(Lanes.SHARED_STACK)
class ManagementInterfaceTest {
    private static final List<String> SERVICES = List.of("user-service", "presence-service", "chat-node-1",
            "chat-node-2", "chat-node-3");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static LocalStack stack() {
        return LocalStack.shared();
    }

    @Test
    void everyServiceServesHealthAndMetricsOnItsManagementPortOnly() throws Exception {
        for (String s : SERVICES) {
            String mgmt = stack().managementUrl(s);
            assertEquals(200, get(mgmt + "/q/health/ready").statusCode(), s + " readiness on its management port");
            HttpResponse<String> metrics = get(mgmt + "/q/metrics");
            assertEquals(200, metrics.statusCode(), s);
            assertTrue(metrics.body().contains("jvm_memory_used_bytes"), s + " serves Prometheus metrics there");
            HttpResponse<String> openapi = get(mgmt + "/q/openapi");
            assertEquals(200, openapi.statusCode(), s);
            assertTrue(openapi.body().startsWith("---\nopenapi: 3") && openapi.body().contains("/api/"),
                    s + " serves its OpenAPI document there: " + openapi.body());
            String publicUrl = "http://127.0.0.1:" + publicPort(s);
            for (String path : List.of("/q/health/ready", "/q/health", "/q/metrics", "/q/openapi", "/%71/metrics")) {
                HttpResponse<String> r = get(publicUrl + path);
                assertEquals(404, r.statusCode(), s + "'s public port must not serve " + path + ": " + r.body());
            }
        }
    }

    @Test
    void noSpellingOfAnInternalPathReachesAServiceThroughTheFrontEnd() throws Exception {
        for (String path : List.of("/q/metrics", "/%71/metrics", "//q/health", "/%71/health/ready", "/q/%6detrics",
                "/api/users/../../q/metrics")) {
            HttpResponse<String> r = get(stack().baseUrl() + path);
            assertEquals(404, r.statusCode(), path + ": " + r.body());
            assertFalse(r.body().contains("jvm_") || r.body().contains("\"checks\""), path + " leaked: " + r.body());
        }
    }

    private int publicPort(String service) {
        return switch (service) {
            case "user-service" -> stack().userServicePort();
            case "presence-service" -> stack().presenceServicePort();
            default -> stack().nodePort(service.charAt(service.length() - 1) - '0');
        };
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
