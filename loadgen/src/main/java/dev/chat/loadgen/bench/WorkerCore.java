package dev.chat.loadgen.bench;

import java.nio.file.Path;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.chat.loadgen.client.Endpoint;

/**
 * One load process's side of the benchmark: an {@link Engine} and a {@link SelfMonitor}, driven by requests (one
 * JSON object each, {@code op} naming what to do), whether they come from the coordinator in the same process or
 * over a worker process's standard input ({@link BenchWorkerCommand}).
 *
 * <pre>
 * {"op":"setup", users, firstIndex, prefix, password, ...}   accounts, sockets, nodes, pairs
 * {"op":"connect"}                                            opens the sockets setup left closed (connectCount)
 * {"op":"rate", "perUser": R}                                 every user sends R msgs/s to its partner (0 stops)
 * {"op":"mark"}                                               a new window starts; answers its number
 * {"op":"report", "window": W, "settleMillis": S}            W's counts and latencies, after waiting up to S ms
 * {"op":"seconds"}                                            the traffic second by second, and where each window began
 * {"op":"monitor"}                                            CPU, GC, lag since the previous monitor
 * {"op":"counters"}                                           drops, reconnects, error frames of the whole run
 * {"op":"close"}                                              closes every socket
 * </pre>
 */
final class WorkerCore implements AutoCloseable {
    private final ObjectMapper json;
    private final SelfMonitor monitor = new SelfMonitor();
    private final Engine engine;

    WorkerCore(ObjectMapper json, String url, Path caCert, String tag) {
        this.json = json;
        this.engine = new Engine(json, Endpoint.of(url, caCert, Duration.ofSeconds(10)), tag, caCert, monitor);
    }

    JsonNode handle(JsonNode req) {
        String op = req.path("op").asText();
        return switch (op) {
            case "setup" -> engine.setup(req);
            case "rate" -> {
                engine.rate(req.path("perUser").asDouble());
                yield json.createObjectNode();
            }
            case "connect" -> engine.connectRest();
            case "mark" -> json.createObjectNode().put("window", engine.mark());
            case "report" -> engine.report(req.path("window").asInt(), req.path("settleMillis").asLong());
            case "seconds" -> engine.seconds();
            case "monitor" -> monitor.interval(json);
            case "counters" -> engine.counters();
            case "close" -> {
                engine.close();
                yield json.createObjectNode();
            }
            default -> throw new IllegalArgumentException("unknown op " + op);
        };
    }

    ObjectNode ok(JsonNode result) {
        ObjectNode o = json.createObjectNode().put("ok", true);
        o.set("result", result);
        return o;
    }

    @Override
    public void close() {
        monitor.close();
        engine.close();
    }
}
