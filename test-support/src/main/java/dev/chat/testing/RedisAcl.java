package dev.chat.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ACL rules production's Redis gives its users (deploy/redis/*.acl, read by scripts/up too), so that every
 * test talking to Redis runs under them: a command the services need and the rules lack fails a test with NOPERM.
 */
public final class RedisAcl {
    /** Tests' own user, allowed everything: for what a test does to Redis behind the services' backs. */
    public static final String ADMIN = "admin";

    private RedisAcl() {
    }

    /** The rules of {@code chat}, the services' user. */
    public static String service() {
        return rules("chat-user.acl");
    }

    /** The rules of {@code failover}, the user replicas and Sentinels log in to the data nodes as. */
    public static String failover() {
        return rules("failover-user.acl");
    }

    private static String rules(String file) {
        Path dir = Path.of("").toAbsolutePath();
        for (int up = 0; up < 6 && dir != null; up++, dir = dir.getParent()) {
            Path f = dir.resolve("deploy/redis").resolve(file);
            if (Files.isRegularFile(f)) {
                try {
                    return Files.readString(f).trim();
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read " + f, e);
                }
            }
        }
        throw new IllegalStateException("deploy/redis/" + file + " not found above " + Path.of("").toAbsolutePath());
    }
}
