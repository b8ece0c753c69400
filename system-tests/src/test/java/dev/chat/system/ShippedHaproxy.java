package dev.chat.system;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.chat.testing.Poll;

/**
 * One HAProxy running the shipped haproxy/haproxy.cfg from the repository root, as the tests of the edge and of the
 * keepalived pair start it without a stack: configured only through the {@code CHAT_*} environment given (none of
 * the caller's leaks in), stdin from /dev/null, its output in a log file, reachable on its runtime API. {@link
 * #start} returns only once that API answers; {@link #close} stops it (SIGTERM, then SIGKILL after 10 s).
 */
final class ShippedHaproxy implements AutoCloseable {
    private static final Path ROOT = LocalStack.projectRoot();

    private final Process process;
    private final Path socket;
    private final Path log;

    private ShippedHaproxy(Process process, Path socket, Path log) {
        this.process = process;
        this.socket = socket;
        this.log = log;
    }

    /** Whether HAProxy is installed (on the PATH or where Debian puts it). */
    static boolean installed() {
        return onPath("haproxy") || Files.isExecutable(Path.of("/usr/sbin/haproxy"));
    }

    /** The HAProxy binary to run. */
    static String binary() {
        return onPath("haproxy") ? "haproxy" : "/usr/sbin/haproxy";
    }

    /**
     * The environment the shipped config needs to parse: its loopback front end on {@code front}, stats on
     * {@code stats}, the runtime API at {@code socket}, and every service (user-service, presence-service, chat nodes
     * 1 to 3) at {@code services} ({@code host:port}). A mutable map: callers add their own settings.
     */
    static Map<String, String> env(int front, int stats, Path socket, String services) {
        return new HashMap<>(Map.ofEntries(Map.entry("CHAT_BIND_ADDR", "127.0.0.1"),
                Map.entry("CHAT_FRONT_PORT", Integer.toString(front)), Map.entry("CHAT_STATS_PORT", Integer.toString(stats)),
                Map.entry("CHAT_USER_SERVICE_ADDR", services), Map.entry("CHAT_PRESENCE_SERVICE_ADDR", services),
                Map.entry("CHAT_NODE_1_ADDR", services), Map.entry("CHAT_NODE_2_ADDR", services),
                Map.entry("CHAT_NODE_3_ADDR", services), Map.entry("CHAT_HAPROXY_SOCKET", socket.toString())));
    }

    /**
     * {@code command} run from the repository root with exactly {@code env} as its {@code CHAT_*} settings besides
     * {@link ScriptEnvironment}'s, stdin from /dev/null and stdout and stderr into {@code log}.
     */
    static ProcessBuilder process(Map<String, String> env, Path log, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        ScriptEnvironment.prepare(pb.environment());
        pb.environment().putAll(env);
        return pb;
    }

    /**
     * Starts HAProxy in the foreground ({@code -db}) on the shipped config with {@code env}, which must name its
     * runtime API socket ({@code CHAT_HAPROXY_SOCKET}); returns once the API answers. Throws, with the log, when it
     * exits or does not answer within 20 s (and then stops it).
     */
    static ShippedHaproxy start(String name, Map<String, String> env, Path log) throws IOException {
        Path socket = Path.of(env.get("CHAT_HAPROXY_SOCKET"));
        Process p = process(env, log, List.of(binary(), "-db", "-f", "haproxy/haproxy.cfg")).start();
        ShippedHaproxy h = new ShippedHaproxy(p, socket, log);
        try {
            Poll.until(Duration.ofSeconds(20), () -> p.isAlive() && h.answers(), ok -> ok || !p.isAlive(), ok -> name + " did not start");
        } catch (AssertionError | RuntimeException e) {
            h.close();
            throw new AssertionError(name + " did not start: " + h.logText(), e);
        }
        if (!p.isAlive()) {
            throw new AssertionError(name + " exited: " + h.logText());
        }
        return h;
    }

    Process process() {
        return process;
    }

    Path socket() {
        return socket;
    }

    /** One command on this HAProxy's runtime API; its whole answer. */
    String admin(String command) {
        return admin(socket, command);
    }

    /** One command on the runtime API at {@code socket} (any HAProxy's, e.g. a stack's); its whole answer. */
    static String admin(Path socket, String command) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.shutdownOutput();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) >= 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return out.toString(StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean answers() {
        try {
            admin("show info");
            return true;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** Its output so far (for a failure's message). */
    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops it: SIGTERM, SIGKILL after 10 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
