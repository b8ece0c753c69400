package dev.chat.node.it;

import static dev.chat.testing.ChatClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.chat.presence.model.NodeEviction;
import dev.chat.presence.model.PresenceKeys;
import dev.chat.testing.ChatClient;
import dev.chat.testing.TestKeys;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

/**
 * The packaged chat node, unchanged, on a Redis Cluster (issue 6, "scale past one machine"): a cluster of three
 * masters on loopback, two chat-node processes started from the same JAR as production with only configuration
 * ({@code QUARKUS_REDIS_CLIENT_TYPE=cluster}, the masters in {@code QUARKUS_REDIS_HOSTS}), their node channels on
 * different shards. The sweep is set to an hour so that only pub/sub can carry a message live. Checks:
 * <ul>
 * <li>messages cross between the nodes both ways (SPUBLISH on one node, the smessage push on the other);
 * <li>each node's channel is a sharded channel subscribed on exactly the master that owns its hash slot, and no
 * classic channel exists anywhere;
 * <li>a group message, whose presence lookup batches HKEYS of members whose hashes live on different shards,
 * reaches every member;
 * <li>a node whose heartbeat entry vanished writes all its users again (a batch across shards), and
 * presence-model's NodeEviction removes a node's entries across shards;
 * <li>presence-service (its packaged JAR, when the reactor built it) answers presence queries on the cluster and
 * evicts a chat node killed with -9 from every shard.
 * </ul>
 */
class RedisClusterIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static LocalRedisCluster cluster;
    private static final List<Node> nodes = new ArrayList<>();
    private static Vertx vertx;
    private static Redis redis;
    private static Map<String, String> db;
    private static Path nodeJar;

    /** A launched service: {@code port} its public port, {@code managementPort} where its health is served. */
    record Node(String id, int port, int managementPort, Process process, Path log) {
        URI ws() {
            return URI.create("ws://127.0.0.1:" + port + "/ws/chat");
        }

        String http() {
            return "http://127.0.0.1:" + port;
        }

        String management() {
            return "http://127.0.0.1:" + managementPort;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(onPath("redis-server") && onPath("redis-cli"), "redis-server and redis-cli are not installed");
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assumeTrue(Files.isRegularFile(jar), "no packaged JAR (a native build): this test runs the JAR");
        nodeJar = jar;
        cluster = LocalRedisCluster.start(3);
        db = new ItServices().start();
        // Two node ids whose channels live on different masters.
        List<String> ids = new ArrayList<>();
        Set<Integer> owners = new HashSet<>();
        for (int i = 0; ids.size() < 2 && i < 200; i++) {
            String id = "cl-" + i + "-" + UUID.randomUUID().toString().substring(0, 4);
            if (owners.add(cluster.ownerOf(LocalRedisCluster.slot(PresenceKeys.channel(id))))) {
                ids.add(id);
            }
        }
        for (String id : ids) {
            nodes.add(launch(jar, id, db));
        }
        for (Node n : nodes) {
            awaitReady(n);
        }
        vertx = Vertx.vertx();
        RedisOptions options = new RedisOptions().setType(RedisClientType.CLUSTER);
        for (String host : cluster.hosts().split(",")) {
            options.addConnectionString(host);
        }
        redis = Redis.createClient(vertx, options);
    }

    @AfterAll
    static void stop() {
        for (Node n : nodes) {
            n.process().destroy();
        }
        for (Node n : nodes) {
            try {
                if (!n.process().waitFor(15, TimeUnit.SECONDS)) {
                    n.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (redis != null) {
            redis.close();
        }
        if (vertx != null) {
            vertx.closeAndAwait();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void nodesExchangeMessagesThroughShardedPubSubOnTheShardsThatOwnTheirChannels() throws Exception {
        Node a = nodes.get(0);
        Node b = nodes.get(1);
        String alice = account("cl_alice");
        String bob = account("cl_bob");
        try (ChatClient ca = ChatClient.connect(a.ws(), token(alice)); ChatClient cb = ChatClient.connect(b.ws(), token(bob))) {
            awaitPresence(bob, b.id());
            awaitPresence(alice, a.id());
            for (int i = 0; i < 20; i++) {
                String id = UUID.randomUUID().toString();
                ca.sendMessage(id, bob, "a to b " + i);
                ca.await(frame("ack", id), WAIT);
                assertEquals("a to b " + i, cb.await(frame("msg", id), WAIT).get("body").asText());
                String back = UUID.randomUUID().toString();
                cb.sendMessage(back, alice, "b to a " + i);
                assertEquals(bob, ca.await(frame("msg", back), WAIT).get("from").asText());
            }

            for (Node n : nodes) {
                int owner = cluster.ownerOf(LocalRedisCluster.slot(PresenceKeys.channel(n.id())));
                for (int port : cluster.ports()) {
                    String sharded = cluster.cli(port, "PUBSUB", "SHARDCHANNELS");
                    assertEquals(port == owner, sharded.contains(PresenceKeys.channel(n.id())),
                            "node " + n.id() + "'s sharded channel on master " + port + " (owner " + owner + "): " + sharded);
                    assertEquals("", cluster.cli(port, "PUBSUB", "CHANNELS").trim(), "no classic channels on " + port);
                }
            }
            assertNotEquals(cluster.ownerOf(LocalRedisCluster.slot(PresenceKeys.channel(a.id()))),
                    cluster.ownerOf(LocalRedisCluster.slot(PresenceKeys.channel(b.id()))));
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aGroupMessageReachesMembersWhosePresenceLivesOnEveryShard() throws Exception {
        Node a = nodes.get(0);
        Node b = nodes.get(1);
        String owner = account("cl_own");
        List<String> members = new ArrayList<>();
        Set<Integer> shards = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            String m = account("cl_m" + i);
            members.add(m);
            shards.add(cluster.ownerOf(LocalRedisCluster.slot(PresenceKeys.user(m))));
        }
        List<ChatClient> clients = new ArrayList<>();
        try (ChatClient co = ChatClient.connect(a.ws(), token(owner))) {
            for (int i = 0; i < members.size(); i++) {
                Node n = i % 2 == 0 ? b : a;
                clients.add(ChatClient.connect(n.ws(), token(members.get(i))));
            }
            for (int i = 0; i < members.size(); i++) {
                awaitPresence(members.get(i), (i % 2 == 0 ? b : a).id());
            }
            String group = createGroup(a, owner, members);
            String id = UUID.randomUUID().toString();
            co.send("{\"type\":\"send\",\"id\":\"" + id + "\",\"group\":\"" + group + "\",\"body\":\"to all shards\"}");
            co.await(frame("ack", id), WAIT);
            for (ChatClient c : clients) {
                assertEquals("to all shards", c.await(frame("msg", id), WAIT).get("body").asText());
            }
            assertTrue(shards.size() >= 2, "the members' presence hashes span shards: " + shards);
        } finally {
            clients.forEach(ChatClient::close);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void heartbeatRewriteAndEvictionWorkAcrossShards() throws Exception {
        Node b = nodes.get(1);
        List<String> users = new ArrayList<>();
        List<ChatClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                String u = account("cl_hb" + i);
                users.add(u);
                clients.add(ChatClient.connect(b.ws(), token(u)));
            }
            for (String u : users) {
                awaitPresence(u, b.id());
            }
            // Evicted as presence-service evicts a silent node: every entry, on every shard, in one call.
            Set<String> evicted = NodeEviction.evict(redis, b.id()).await().atMost(WAIT);
            assertTrue(evicted.containsAll(users), "evicted " + evicted + ", expected at least " + users);
            // The node finds its heartbeat entry gone at its next beat and writes all its users again.
            for (String u : users) {
                awaitPresence(u, b.id());
            }
        } finally {
            clients.forEach(ChatClient::close);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void presenceServiceQueriesAndEvictsADeadNodeOnEveryShard() throws Exception {
        Path jar = Path.of("..", "presence-service", "target", "quarkus-app", "quarkus-run.jar");
        assumeTrue(Files.isRegularFile(jar), "presence-service is not packaged (run the whole reactor)");
        Process presence = null;
        Node doomed = null;
        List<ChatClient> clients = new ArrayList<>();
        try {
            int port = LocalRedisCluster.freePort(new HashSet<>());
            int managementPort = LocalRedisCluster.freePort(new HashSet<>(Set.of(port)));
            Path log = Files.createDirectories(Path.of("target", "redis-cluster-it")).resolve("presence-service.log");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-XX:+UseSerialGC", "-jar", jar.toAbsolutePath().toString()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            pb.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
            pb.environment().put("QUARKUS_REDIS_CLIENT_TYPE", "cluster");
            pb.environment().put("QUARKUS_REDIS_HOSTS", cluster.hosts());
            pb.environment().put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", TestKeys.shared().publicKey().toString());
            pb.environment().put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
            presence = pb.start();
            Process p = presence;
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "stop-presence-service"));
            awaitReady(new Node("presence-service", port, managementPort, presence, log));

            doomed = launch(nodeJar, "cl-doomed-" + UUID.randomUUID().toString().substring(0, 4), db);
            awaitReady(doomed);
            List<String> users = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String u = account("cl_dead" + i);
                users.add(u);
                clients.add(ChatClient.connect(doomed.ws(), token(u)));
            }
            for (String u : users) {
                awaitPresence(u, doomed.id());
            }
            // A presence query batches the node set and every user's hash: across shards.
            HttpResponse<String> q = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/api/presence?users=" + String.join(",", users))).header("Authorization", "Bearer " + token(users.get(0)))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, q.statusCode(), q.body());
            JsonNode answer = JSON.readTree(q.body());
            for (String u : users) {
                assertTrue(answer.path(u).path("online").asBoolean(), u + " online: " + q.body());
            }

            doomed.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Instant deadline = Instant.now().plusSeconds(30);
            String nodeId = doomed.id();
            while (true) {
                boolean gone = true;
                for (String u : users) {
                    var r = redis.send(io.vertx.mutiny.redis.client.Request.cmd(io.vertx.mutiny.redis.client.Command.HGET)
                            .arg(PresenceKeys.user(u)).arg(nodeId)).await().atMost(WAIT);
                    gone &= r == null;
                }
                var score = redis.send(io.vertx.mutiny.redis.client.Request.cmd(io.vertx.mutiny.redis.client.Command.ZSCORE)
                        .arg(PresenceKeys.NODES).arg(nodeId)).await().atMost(WAIT);
                if (gone && score == null) {
                    break;
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError("presence-service did not evict " + nodeId + " within 30 s; log " + log);
                }
                Thread.sleep(200);
            }
        } finally {
            clients.forEach(ChatClient::abort);
            if (doomed != null) {
                doomed.process().destroyForcibly();
            }
            if (presence != null) {
                presence.destroy();
                if (!presence.waitFor(10, TimeUnit.SECONDS)) {
                    presence.destroyForcibly();
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private static Node launch(Path jar, String id, Map<String, String> db) throws IOException {
        int port = LocalRedisCluster.freePort(new HashSet<>());
        int managementPort = LocalRedisCluster.freePort(new HashSet<>(Set.of(port)));
        Path logs = Files.createDirectories(Path.of("target", "redis-cluster-it"));
        Path log = logs.resolve("chat-node-" + id + ".log");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:+UseSerialGC", "-jar", jar.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("CHAT_NODE_ID", id);
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        env.put("QUARKUS_REDIS_CLIENT_TYPE", "cluster");
        env.put("QUARKUS_REDIS_HOSTS", cluster.hosts());
        env.put("QUARKUS_DATASOURCE_USERNAME", db.get("quarkus.datasource.username"));
        env.put("QUARKUS_DATASOURCE_PASSWORD", db.get("quarkus.datasource.password"));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", db.get("quarkus.datasource.reactive.url"));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", db.get("quarkus.datasource.jdbc.url"));
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", TestKeys.shared().publicKey().toString());
        // Only pub/sub may carry a message live here: the sweep (which would deliver from PostgreSQL) is an hour away.
        env.put("CHAT_DELIVERY_SWEEP_INTERVAL", "1h");
        env.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        env.put("QUARKUS_SHUTDOWN_DELAY", "0s");
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "stop-" + id));
        return new Node(id, port, managementPort, p, log);
    }

    private static void awaitReady(Node n) throws Exception {
        Instant deadline = Instant.now().plusSeconds(90);
        while (Instant.now().isBefore(deadline)) {
            if (!n.process().isAlive()) {
                throw new IllegalStateException("chat node " + n.id() + " exited:\n" + tail(n));
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(n.management() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("chat node " + n.id() + " not ready within 90 s:\n" + tail(n));
    }

    /** Until the presence map (read through the cluster) says {@code user} has a socket on {@code node}. */
    private static void awaitPresence(String user, String node) {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            var r = redis.send(io.vertx.mutiny.redis.client.Request.cmd(io.vertx.mutiny.redis.client.Command.HGET)
                    .arg(PresenceKeys.user(user)).arg(node)).await().atMost(WAIT);
            if (r != null) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(user + " never appeared on " + node + " in the presence map; logs in "
                        + nodes.get(0).log().getParent() + "\n" + tail(nodes.stream().filter(n -> n.id().equals(node))
                                .findFirst().orElse(nodes.get(0))));
            }
            LocalRedisCluster.pause(50);
        }
    }

    private static String createGroup(Node n, String owner, List<String> members) throws Exception {
        String body = JSON.writeValueAsString(Map.of("name", "across shards", "members", members));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(n.http() + "/api/groups"))
                .header("Authorization", "Bearer " + token(owner)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        JsonNode g = JSON.readTree(r.body());
        return g.get("id").asText();
    }

    private static String account(String prefix) {
        String name = prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
        ItServices.createAccount(name);
        return name;
    }

    private static String tail(Node n) {
        try {
            List<String> lines = Files.readAllLines(n.log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static boolean onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, name))) {
                return true;
            }
        }
        return false;
    }

    /** An RS256 token as user-service issues it, signed with the key the nodes verify against. */
    private static String token(String user) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long now = System.currentTimeMillis() / 1000;
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> claims = new HashMap<>();
        claims.put("iss", "chat");
        claims.put("sub", user);
        claims.put("upn", user);
        claims.put("groups", List.of("user"));
        claims.put("iat", now - 5);
        claims.put("exp", now + 600);
        claims.put("jti", UUID.randomUUID().toString());
        try {
            String payload = b64.encodeToString(JSON.writeValueAsBytes(claims));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(TestKeys.shared().pair().getPrivate());
            rsa.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + b64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
