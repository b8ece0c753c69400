package dev.chat.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Short folders for unix sockets. A socket's path is limited to 107 bytes on Linux (97 in HAProxy's
 * {@code stats socket}), and a folder under a clone's {@code target/} is often longer than that, so tests never put
 * a socket there: they put it in a folder of its own under {@code /tmp}, deleted when the JVM exits. The scripts do
 * the same for the local stack ({@code scripts/lib/common.sh}, {@code use_socket_dir}).
 */
public final class SocketDirs {
    /** The longest socket path HAProxy accepts in {@code stats socket}. */
    public static final int HAPROXY_MAX_SOCKET_PATH = 97;

    private static final Path BASE = Path.of("/tmp");

    private SocketDirs() {
    }

    /**
     * A new, empty folder (mode 700) whose path leaves room for socket names of up to 40 characters within
     * {@link #HAPROXY_MAX_SOCKET_PATH}, whatever the working directory. Deleted, with what is in it, at JVM exit.
     */
    public static Path create(String purpose) {
        try {
            Path dir = Files.createTempDirectory(BASE, "chat-" + purpose + "-");
            if (dir.toString().length() + 41 > HAPROXY_MAX_SOCKET_PATH) {
                throw new IllegalStateException("socket folder " + dir + " is too long for socket paths");
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("could not make a socket folder under " + BASE, e);
        }
    }

    /** Deletes the folder and everything in it; quiet about what is already gone. */
    public static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit: a leftover folder under /tmp is harmless
        }
    }
}
