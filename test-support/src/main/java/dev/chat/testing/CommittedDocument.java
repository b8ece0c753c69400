package dev.chat.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A generated document that is committed to the repository (e.g. a service's OpenAPI document under
 * {@code docs/openapi/}), checked for drift: what the code generates now must equal the committed file, byte for
 * byte. With {@code -Dopenapi.update=true} the check rewrites the file instead (then commit it).
 */
public final class CommittedDocument {
    private CommittedDocument() {
    }

    /**
     * Fails with a diff hint when {@code generated} differs from the committed file at {@code relativePath} (from the
     * repository root, found upwards from the working directory by its {@code mvnw}); the generated text is left in
     * {@code target/} beside it for comparison.
     */
    public static void assertUnchanged(String relativePath, String generated) {
        Path file = repositoryRoot().resolve(relativePath);
        try {
            if (Boolean.getBoolean("openapi.update")) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, generated);
                return;
            }
            String committed = Files.isRegularFile(file) ? Files.readString(file) : "";
            if (!committed.equals(generated)) {
                Path actual = Path.of("target", file.getFileName().toString());
                Files.createDirectories(actual.getParent());
                Files.writeString(actual, generated);
                throw new AssertionError(relativePath + " differs from what the code generates (" + actual.toAbsolutePath()
                        + "): run this test with -Dopenapi.update=true and commit the file");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository root: the first directory upwards from the working directory with {@code mvnw} and {@code docs/}. */
    public static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("docs"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root (mvnw and docs/) above " + Path.of("").toAbsolutePath());
    }
}
