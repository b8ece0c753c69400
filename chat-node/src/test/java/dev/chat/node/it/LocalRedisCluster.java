package dev.chat.node.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Redis Cluster of {@code n} masters and no replicas on loopback, as an operator makes one: {@code redis-server}
 * with {@code cluster-enabled yes} per master, each with the ACL user {@code chat} and no default user (as the
 * local stack runs Redis), joined by {@code redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes}.
 * Ports (client and cluster bus) are picked below the kernel's ephemeral range. Every server is stopped by its
 * PID and its directory deleted on {@link #close()} (and when the JVM exits).
 */
public final class LocalRedisCluster implements AutoCloseable {
    public static final String USER = "chat";
    private static final int LOWEST_PORT = 20000;
    private static final int HIGHEST_PORT = 32700;

    private final Path dir;
    private final String password = UUID.randomUUID().toString();
    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> servers = new ArrayList<>();

    private LocalRedisCluster(Path dir) {
        this.dir = dir;
    }

    /** Starts {@code masters} servers, creates the cluster and waits until every node says cluster_state:ok. */
    public static LocalRedisCluster start(int masters) {
        LocalRedisCluster c;
        try {
            c = new LocalRedisCluster(Files.createTempDirectory("redis-cluster"));
        } catch (IOException e) {
            throw new IllegalStateException("could not make a directory for the cluster", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(c::close, "stop-redis-cluster"));
        try {
            Set<Integer> taken = new TreeSet<>();
            for (int i = 0; i < masters; i++) {
                int port = freePort(taken);
                int bus = freePort(taken);
                c.startServer(port, bus);
            }
            Instant deadline = Instant.now().plusSeconds(20);
            for (int port : c.ports) {
                while (!c.answersPing(port)) {
                    if (Instant.now().isAfter(deadline)) {
                        throw new IllegalStateException("redis-server on port " + port + " did not start:\n" + c.log(port));
                    }
                    pause(50);
                }
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--no-auth-warning", "--user", USER, "--pass",
                    c.password, "--cluster", "create"));
            for (int port : c.ports) {
                create.add("127.0.0.1:" + port);
            }
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            run(Duration.ofSeconds(60), create);
            for (int port : c.ports) {
                while (!c.cli(port, "CLUSTER", "INFO").contains("cluster_state:ok")) {
                    if (Instant.now().isAfter(deadline.plusSeconds(30))) {
                        throw new IllegalStateException("the cluster is not ok on port " + port + ": "
                                + c.cli(port, "CLUSTER", "INFO"));
                    }
                    pause(100);
                }
            }
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void startServer(int port, int bus) {
        Path d = dir.resolve(Integer.toString(port));
        try {
            Files.createDirectories(d);
            Files.writeString(d.resolve("redis.conf"), String.join("\n",
                    "bind 127.0.0.1",
                    "port " + port,
                    "cluster-enabled yes",
                    "cluster-port " + bus,
                    "cluster-config-file nodes.conf",
                    "cluster-node-timeout 5000",
                    "dir " + d,
                    "save \"\"",
                    "appendonly no",
                    "user default off",
                    "user " + USER + " on >" + password + " ~* &* +@all",
                    ""));
            Process p = new ProcessBuilder("redis-server", d.resolve("redis.conf").toString()).redirectErrorStream(true)
                    .redirectOutput(d.resolve("redis.log").toFile()).start();
            servers.add(p);
            ports.add(port);
        } catch (IOException e) {
            throw new IllegalStateException("could not start redis-server on port " + port, e);
        }
    }

    /** The masters' client ports. */
    public List<Integer> ports() {
        return List.copyOf(ports);
    }

    public String password() {
        return password;
    }

    /** Every master, comma-separated, as {@code quarkus.redis.hosts} takes them. */
    public String hosts() {
        return ports.stream().map(p -> "redis://" + USER + ":" + password + "@127.0.0.1:" + p)
                .collect(Collectors.joining(","));
    }

    /** One command on one master through redis-cli (no redirects followed): its raw output. */
    public String cli(int port, String... args) {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "--no-auth-warning", "-h", "127.0.0.1", "-p",
                Integer.toString(port), "--user", USER, "--pass", password));
        cmd.addAll(List.of(args));
        return run(Duration.ofSeconds(10), cmd);
    }

    /** The master (its port) that serves hash slot {@code slot}, from CLUSTER SHARDS as redis-cli prints it. */
    public int ownerOf(int slot) {
        for (int port : ports) {
            // CLUSTER COUNTKEYSINSLOT answers on any node; a node only serves its own slots: ask each whether the
            // slot is among its own (CLUSTER SHARDS would do too, but its nested reply is awkward in redis-cli).
            String mine = cli(port, "CLUSTER", "NODES");
            for (String line : mine.split("\n")) {
                if (!line.contains("myself")) {
                    continue;
                }
                String[] f = line.trim().split(" ");
                for (int i = 8; i < f.length; i++) {
                    String range = f[i];
                    if (range.startsWith("[")) {
                        continue;
                    }
                    String[] ab = range.split("-");
                    int a = Integer.parseInt(ab[0]);
                    int b = ab.length > 1 ? Integer.parseInt(ab[1]) : a;
                    if (slot >= a && slot <= b) {
                        return port;
                    }
                }
            }
        }
        throw new IllegalStateException("no master serves slot " + slot);
    }

    /** Redis Cluster's hash slot of a key: CRC16 (XMODEM) of the key, or of its {hash tag}, mod 16384. */
    public static int slot(String key) {
        int open = key.indexOf('{');
        if (open >= 0) {
            int close = key.indexOf('}', open + 1);
            if (close > open + 1) {
                key = key.substring(open + 1, close);
            }
        }
        int crc = 0;
        for (byte b : key.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            crc ^= (b & 0xff) << 8;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
                crc &= 0xffff;
            }
        }
        return crc % 16384;
    }

    private boolean answersPing(int port) {
        try {
            return cli(port, "PING").trim().equals("PONG");
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private String log(int port) {
        try {
            return Files.readString(dir.resolve(Integer.toString(port)).resolve("redis.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public synchronized void close() {
        for (Process p : servers) {
            p.destroy();
        }
        for (Process p : servers) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        servers.clear();
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // a temp directory: the OS cleans it
            }
        }
    }

    static int freePort(Set<Integer> taken) {
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST_PORT, HIGHEST_PORT);
            if (taken.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                taken.add(port);
                return port;
            } catch (IOException e) {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free loopback port between " + LOWEST_PORT + " and " + HIGHEST_PORT);
    }

    static String run(Duration timeout, List<String> command) {
        try {
            Path out = Files.createTempFile("cmd", ".log");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("timed out after " + timeout + ": " + command.get(0));
                }
                String text = Files.readString(out);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("exit " + p.exitValue() + " from " + command.get(0) + ":\n" + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
