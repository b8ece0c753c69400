package dev.chat.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Every test class of this module holds exactly one of the two {@link Lanes} as its resource lock: a class with none
 * would run beside both lanes (three classes at once, and beside the shared stack's stops and starts), one with both
 * would hold the other lane up.
 */
@ResourceLock(Lanes.SHARED_STACK)
class LanesTest {
    @Test
    void everyTestClassRunsInExactlyOneLane() throws Exception {
        List<String> wrong = new ArrayList<>();
        List<String> classes = testClasses();
        for (String name : classes) {
            ResourceLock[] locks = Class.forName(name).getDeclaredAnnotationsByType(ResourceLock.class);
            List<String> lanes = Stream.of(locks).map(ResourceLock::value).toList();
            if (lanes.size() != 1 || !Set.of(Lanes.SCENARIOS, Lanes.SHARED_STACK).contains(lanes.get(0))) {
                wrong.add(name + " " + lanes);
            }
        }
        assertTrue(classes.size() > 40, classes.toString());
        assertTrue(classes.contains(HaChaosTest.class.getName()), classes.toString());
        assertEquals(List.of(), wrong, "test classes not in exactly one lane");
    }

    /** The top-level *Test classes compiled beside this one. */
    private static List<String> testClasses() throws Exception {
        Path dir = folderOf(LanesTest.class);
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith("Test.class") && !n.contains("$"))
                    .sorted().map(n -> LanesTest.class.getPackageName() + "." + n.substring(0, n.length() - ".class".length()))
                    .toList();
        }
    }

    private static Path folderOf(Class<?> c) throws URISyntaxException {
        return Path.of(c.getResource(c.getSimpleName() + ".class").toURI()).getParent();
    }
}
