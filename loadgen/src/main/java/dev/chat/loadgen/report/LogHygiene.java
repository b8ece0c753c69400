package dev.chat.loadgen.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The services log JSON with node, user and message IDs, and never a token or a password: a scan of every
 * {@code *.log} file in the folders given for a JWT, any of the secrets given (each file's content, trimmed) and
 * any forbidden text (a client's password, say).
 */
public final class LogHygiene {
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}");

    /** The outcome: how many JSON lines were read, and each finding as "FILE (WHAT)"; clean when none. */
    public record Result(int files, long jsonLines, List<String> findings) {
        public boolean clean() {
            return findings.isEmpty();
        }
    }

    /** A secret's name (what a finding says) and its value. */
    public record Secret(String name, String value) {
    }

    private LogHygiene() {
    }

    /** The secrets in {@code dir}: every regular file whose name ends in "password", by that name. */
    public static List<Secret> secretsIn(Path dir) throws IOException {
        List<Secret> out = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                if (Files.isRegularFile(f) && f.getFileName().toString().endsWith("password")) {
                    String v = Files.readString(f, StandardCharsets.UTF_8).strip();
                    if (!v.isEmpty()) {
                        out.add(new Secret(f.getFileName().toString(), v));
                    }
                }
            }
        }
        return out;
    }

    /** Scans every {@code *.log} file directly in each of {@code dirs} (missing folders are skipped). */
    public static Result scan(List<Path> dirs, List<Secret> secrets, List<String> forbidden) throws IOException {
        List<String> findings = new ArrayList<>();
        long json = 0;
        int files = 0;
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> logs;
            try (Stream<Path> s = Files.list(dir)) {
                logs = s.filter(f -> f.getFileName().toString().endsWith(".log") && Files.isRegularFile(f)).sorted().toList();
            }
            for (Path f : logs) {
                files++;
                boolean jwt = false;
                boolean[] secret = new boolean[secrets.size()];
                boolean[] text = new boolean[forbidden.size()];
                try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.ISO_8859_1)) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        if (line.startsWith("{")) {
                            json++;
                        }
                        jwt |= JWT.matcher(line).find();
                        for (int i = 0; i < secret.length; i++) {
                            secret[i] |= line.contains(secrets.get(i).value());
                        }
                        for (int i = 0; i < text.length; i++) {
                            text[i] |= line.contains(forbidden.get(i));
                        }
                    }
                }
                if (jwt) {
                    findings.add(f + " (a JWT)");
                }
                for (int i = 0; i < secret.length; i++) {
                    if (secret[i]) {
                        findings.add(f + " (" + secrets.get(i).name() + ")");
                    }
                }
                for (int i = 0; i < text.length; i++) {
                    if (text[i]) {
                        findings.add(f + " (forbidden text '" + forbidden.get(i) + "')");
                    }
                }
            }
        }
        return new Result(files, json, List.copyOf(findings));
    }
}
