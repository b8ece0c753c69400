package dev.chat.node;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;

/**
 * chat-node's packages form one-way layers, from the wire down to the stores and up to the node's lifecycle: a
 * package may use the layers below it, never one above (a lower layer calls up only through a handler interface it
 * owns itself, such as {@code routing.LocalRecipients} or {@code presence.HeldSockets}). Any upward import fails
 * the build here, naming the classes. The graph itself: see the README's "The code".
 */
class LayersTest {
    /** Lowest first. Each package's package-info.java says what it owns and promises. */
    static final List<String> LAYERS = List.of("protocol", "config", "redis", "postgres", "history", "groups", "accounts", "presence",
            "routing", "sockets", "delivery", "endpoint", "api", "lifecycle");
    private static final String ROOT = "dev.chat.node";

    /** The node's own classes, as compiled (target/classes: tests and other modules left out). */
    private static final JavaClasses NODE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPath(Path.of("target/classes"));

    @Test
    void noLayerUsesOneAboveIt() {
        LayeredArchitecture layers = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String layer : LAYERS) {
            layers = layers.layer(layer).definedBy(ROOT + "." + layer + "..");
        }
        for (int i = 0; i < LAYERS.size(); i++) {
            String[] above = LAYERS.subList(i + 1, LAYERS.size()).toArray(String[]::new);
            layers = above.length == 0 ? layers.whereLayer(LAYERS.get(i)).mayNotBeAccessedByAnyLayer()
                    : layers.whereLayer(LAYERS.get(i)).mayOnlyBeAccessedByLayers(above);
        }
        layers.ensureAllClassesAreContainedInArchitecture().check(NODE);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(NODE);
    }

    /** Every package of the node is a layer, and says in its package-info.java what it owns and promises. */
    @Test
    void everyPackageIsALayerWithAPackageInfo() throws IOException {
        Path sources = Path.of("src/main/java", ROOT.split("\\."));
        try (Stream<Path> dirs = Files.list(sources)) {
            List<String> packages = dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted()
                    .toList();
            assertEquals(LAYERS.stream().sorted().toList(), packages, "packages of chat-node and layers of LayersTest");
            List<String> without = packages.stream()
                    .filter(p -> !Files.isRegularFile(sources.resolve(p).resolve("package-info.java"))).toList();
            assertEquals(List.of(), without, "packages without a package-info.java");
        }
    }
}
