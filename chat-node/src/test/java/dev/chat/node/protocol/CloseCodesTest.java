package dev.chat.node.protocol;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import io.quarkus.websockets.next.CloseReason;

/**
 * Close codes in one place (issue 15 step 3): only {@link CloseCode} builds a close reason, and docs/protocol.md's
 * "Close codes" table has one row per code, with its status, reason and reconnect rule, as the enum says.
 */
class CloseCodesTest {
    private static final Path PROTOCOL_DOC = Path.of("../docs/protocol.md");

    @Test
    void onlyCloseCodeBuildsACloseReason() {
        noClasses().that().doNotHaveFullyQualifiedName(CloseCode.class.getName())
                .should().callConstructor(CloseReason.class, int.class, String.class)
                .orShould().callConstructor(CloseReason.class, int.class)
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPath(Path.of("target/classes")));
    }

    @Test
    void theDocsListEveryCloseCodeWithItsReconnectRule() throws IOException {
        String doc = Files.readString(PROTOCOL_DOC);
        int table = doc.indexOf("### Close codes");
        List<String> rows = doc.substring(table).lines().skip(1).dropWhile(l -> !l.startsWith("|"))
                .takeWhile(l -> l.startsWith("|")).skip(2).toList();
        List<String> missing = new ArrayList<>();
        for (CloseCode code : CloseCode.values()) {
            String expected = "| " + code.status() + " | `" + code.reason() + "` | `" + code.name() + "` |";
            if (rows.stream().noneMatch(r -> r.startsWith(expected) && r.contains("`" + code.reconnect() + "`"))) {
                missing.add(expected + " ... `" + code.reconnect() + "`");
            }
        }
        assertEquals(List.of(), missing, "rows missing from docs/protocol.md's close codes table");
        assertEquals(CloseCode.values().length, rows.size(), "one row per close code: " + rows);
    }
}
