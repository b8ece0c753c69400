package dev.chat.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Redis as the HA stack runs it, on loopback: a master, a replica and three Sentinels (master set {@value #MASTER}),
 * every process with the ACL user {@code chat} and no default user (on the data nodes under production's rules,
 * {@link RedisAcl}); replicas and Sentinels log in to the data nodes as {@code failover}, Sentinels to each other
 * as {@code chat}; {@link #cli} logs in as the tests' own {@code admin}. Each test class that breaks it starts its own.
 *
 * <p>Sentinels here notice a silent master after {@value #DOWN_AFTER_MS} ms, so a frozen or killed master is
 * replaced within seconds.
 */
public final class LocalRedisSentinel implements AutoCloseable {
    public static final String USER = LocalRedis.USER;
    public static final String MASTER = "chat";
    /** What replicas and Sentinels log in to the data nodes as (production's rules: {@link RedisAcl#failover()}). */
    static final String FAILOVER = "failover";
    static final int DOWN_AFTER_MS = 1000;
    private static final Duration READY = Duration.ofSeconds(30);

    private final Path dir;
    private final String password = UUID.randomUUID().toString();
    /** Data nodes by port; a killed one stays in the map with a dead process until {@link #restartDead()}. */
    private final Map<Integer, LocalProcess> data = new LinkedHashMap<>();
    private final List<Integer> sentinelPorts = new ArrayList<>();
    private final List<LocalProcess> sentinels = new ArrayList<>();

    private LocalRedisSentinel(Path dir) {
        this.dir = dir;
    }

    /** Starts master, replica and three Sentinels and waits until the Sentinels know each other and the replica. */
    public static LocalRedisSentinel start() {
        try {
            LocalRedisSentinel r = new LocalRedisSentinel(Files.createTempDirectory("redis-sentinel-test"));
            int master = FreePort.pick();
            r.startData(master, null);
            r.startData(FreePort.pick(), master);
            for (int i = 0; i < 3; i++) {
                r.startSentinel(FreePort.pick(), master);
            }
            r.awaitTopology();
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("could not prepare redis sentinel", e);
        }
    }

    private void startData(int port, Integer replicaOf) throws IOException {
        Path conf = dir.resolve("redis-" + port + ".conf");
        List<String> lines = new ArrayList<>(List.of(
                "bind 127.0.0.1",
                "port " + port,
                "dir " + dir,
                "dbfilename dump-" + port + ".rdb",
                "save \"\"",
                "appendonly no",
                // A replica syncs at once rather than after the default 5 s wait for more replicas.
                "repl-diskless-sync-delay 0",
                "user default off",
                "user " + USER + " on >" + password + " " + RedisAcl.service(),
                "user " + FAILOVER + " on >" + password + " " + RedisAcl.failover(),
                "user " + RedisAcl.ADMIN + " on >" + password + " ~* &* +@all",
                // Either node may be the replica after a failover: both log in to the master as failover.
                "masteruser " + FAILOVER,
                "masterauth " + password));
        if (replicaOf != null) {
            lines.add("replicaof 127.0.0.1 " + replicaOf);
        }
        Files.writeString(conf, String.join("\n", lines) + "\n");
        LocalProcess p = LocalProcess.start("redis-server:" + port,
                List.of(Binaries.find("redis-server"), conf.toString()), dir.resolve("redis-" + port + ".log"));
        data.put(port, p);
        p.awaitReady(READY, () -> answersPing(port));
    }

    private void startSentinel(int port, int master) throws IOException {
        Path conf = dir.resolve("sentinel-" + port + ".conf");
        Files.writeString(conf, String.join("\n",
                "bind 127.0.0.1",
                "port " + port,
                "dir " + dir,
                "user default off",
                "user " + USER + " on >" + password + " ~* &* +@all",
                "user " + RedisAcl.ADMIN + " on >" + password + " ~* &* +@all",
                "sentinel monitor " + MASTER + " 127.0.0.1 " + master + " 2",
                "sentinel down-after-milliseconds " + MASTER + " " + DOWN_AFTER_MS,
                "sentinel failover-timeout " + MASTER + " 5000",
                "sentinel parallel-syncs " + MASTER + " 1",
                "sentinel auth-user " + MASTER + " " + FAILOVER,
                "sentinel auth-pass " + MASTER + " " + password,
                "sentinel sentinel-user " + USER,
                "sentinel sentinel-pass " + password,
                ""));
        LocalProcess p = LocalProcess.start("redis-sentinel:" + port,
                List.of(Binaries.find("redis-server"), conf.toString(), "--sentinel"),
                dir.resolve("sentinel-" + port + ".log"));
        sentinelPorts.add(port);
        sentinels.add(p);
        p.awaitReady(READY, () -> answersPing(port));
    }

    /** Every Sentinel sees the other two and a replica in sync: only then can they agree on a failover. */
    private void awaitTopology() {
        Poll.until(READY, () -> {
            for (int port : sentinelPorts) {
                if (lines(cli(port, "SENTINEL", "SENTINELS", MASTER)).stream().filter("name"::equals).count() < 2
                        || !cli(port, "SENTINEL", "REPLICAS", MASTER).contains("master-link-status\nok")) {
                    return false;
                }
            }
            return true;
        }, ok -> ok, ok -> "the sentinels did not see each other and the replica:\n" + logs());
    }

    /** The master the Sentinels name now. */
    public int masterPort() {
        for (int port : sentinelPorts) {
            try {
                List<String> addr = lines(cli(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER));
                if (addr.size() == 2) {
                    return Integer.parseInt(addr.get(1));
                }
            } catch (IllegalStateException e) {
                // a killed or frozen sentinel: ask the next
            }
        }
        throw new IllegalStateException("no sentinel names a master");
    }

    /** Kills the current master with SIGKILL, as a crash would; answers its port. */
    public int killMaster() {
        int port = masterPort();
        LocalProcess p = data.get(port);
        LocalProcess.run(Duration.ofSeconds(5), List.of("kill", "-9", Long.toString(p.pid())));
        p.close();
        return port;
    }

    /**
     * Waits until the Sentinels name a master other than {@code formerPort} and that server says it is a master;
     * answers its port.
     */
    public int awaitNewMaster(int formerPort, Duration timeout) {
        return Poll.until(timeout, () -> {
            try {
                int now = masterPort();
                return now != formerPort && cli(now, "ROLE").startsWith("master") ? now : -1;
            } catch (IllegalStateException e) {
                return -1;
            }
        }, port -> port > 0, port -> "no new master within " + timeout + ":\n" + logs());
    }

    /** SIGSTOP to a data node (its port), see {@link LocalProcess#freeze()}. */
    public void freeze(int port) {
        data.get(port).freeze();
    }

    /** SIGCONT after {@link #freeze(int)}. */
    public void thaw(int port) {
        data.get(port).thaw();
    }

    /**
     * Starts every killed data node again, as a replica of the current master, and waits until the Sentinels see it
     * in sync: the set can survive the next failure.
     */
    public void restartDead() {
        int master = masterPort();
        for (Map.Entry<Integer, LocalProcess> e : List.copyOf(data.entrySet())) {
            if (!e.getValue().isAlive()) {
                try {
                    startData(e.getKey(), master);
                } catch (IOException ex) {
                    throw new IllegalStateException("could not restart redis on " + e.getKey(), ex);
                }
            }
        }
        awaitTopology();
    }

    /** The Sentinels, as Quarkus' redis client takes them with {@code quarkus.redis.client-type=sentinel}. */
    public String hosts() {
        List<String> urls = new ArrayList<>();
        for (int port : sentinelPorts) {
            urls.add("redis://" + USER + ":" + password + "@127.0.0.1:" + port);
        }
        return String.join(",", urls);
    }

    /** The configuration a Quarkus service needs to use this set through its Sentinels, for its master. */
    public Map<String, String> quarkusConfig() {
        return Map.of("quarkus.redis.client-type", "sentinel", "quarkus.redis.hosts", hosts(),
                "quarkus.redis.master-name", MASTER, "quarkus.redis.role", "master");
    }

    public String password() {
        return password;
    }

    /** Runs one command through redis-cli against any of the processes (data node or Sentinel). */
    public String cli(int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Binaries.find("redis-cli"), "--no-auth-warning",
                "-h", "127.0.0.1", "-p", Integer.toString(port), "--user", RedisAcl.ADMIN, "--pass", password));
        cmd.addAll(List.of(args));
        return LocalProcess.run(Duration.ofSeconds(5), cmd);
    }

    private boolean answersPing(int port) {
        try {
            return cli(port, "PING").trim().equals("PONG");
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static List<String> lines(String out) {
        return out.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    private String logs() {
        StringBuilder b = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                List<String> all = Files.readAllLines(f);
                b.append("--- ").append(f.getFileName()).append('\n')
                        .append(String.join("\n", all.subList(Math.max(0, all.size() - 15), all.size()))).append('\n');
            }
        } catch (IOException e) {
            b.append("(logs unreadable: ").append(e.getMessage()).append(')');
        }
        return b.toString();
    }

    @Override
    public void close() {
        for (LocalProcess p : sentinels) {
            p.close();
        }
        for (LocalProcess p : data.values()) {
            if (p.isAlive()) {
                // A frozen process ignores SIGTERM until it runs again.
                p.thaw();
            }
            p.close();
        }
        LocalProcess.deleteTree(dir);
    }
}
