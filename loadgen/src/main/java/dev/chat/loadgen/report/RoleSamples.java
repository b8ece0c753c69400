package dev.chat.loadgen.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The database members' roles as a sampler saw them, one line per sample: {@code EPOCH_MS pg-1=ROLE pg-2=ROLE},
 * each ROLE {@code primary:TIMELINE}, {@code standby:TIMELINE} or {@code down} (what each member's own PostgreSQL
 * answered through its own loopback). Lines of another shape are skipped.
 */
public final class RoleSamples {
    /** One sample: when, and each member's role. */
    public record Sample(long atMillis, Map<String, String> roles) {
        long primaries() {
            return roles.values().stream().filter(r -> r.startsWith("primary")).count();
        }
    }

    /**
     * What the samples say: how many were taken from {@code t0} on, how many showed two primaries (a split brain;
     * counted over every sample, those before {@code t0} too), and the seconds from {@code t0} to the first sample in which the isolated member was no longer primary and
     * the other one was (empty when none was).
     */
    public record Analysis(int samples, int bothPrimary, OptionalDouble isolatedLeftPrimaryAfter,
            OptionalDouble otherPromotedAfter) {
    }

    private final List<Sample> samples;

    private RoleSamples(List<Sample> samples) {
        this.samples = samples;
    }

    public static RoleSamples read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    public static RoleSamples parse(List<String> lines) {
        List<Sample> out = new ArrayList<>();
        for (String line : lines) {
            String[] w = line.trim().split("\\s+");
            if (w.length < 2 || !w[0].matches("\\d+")) {
                continue;
            }
            Map<String, String> roles = new LinkedHashMap<>();
            for (int i = 1; i < w.length; i++) {
                int eq = w[i].indexOf('=');
                if (eq > 0) {
                    roles.put(w[i].substring(0, eq), w[i].substring(eq + 1));
                }
            }
            if (!roles.isEmpty()) {
                out.add(new Sample(Long.parseLong(w[0]), roles));
            }
        }
        return new RoleSamples(out);
    }

    /** The last sample's role of {@code member}, or "" when there is none. */
    public String lastRole(String member) {
        return samples.isEmpty() ? "" : samples.get(samples.size() - 1).roles().getOrDefault(member, "");
    }

    /** The samples taken at or after {@code t0} (epoch ms), judged for the cut-off {@code isolated} member. */
    public Analysis analyse(long t0, String isolated, String other) {
        int n = 0;
        int both = 0;
        OptionalDouble left = OptionalDouble.empty();
        OptionalDouble promoted = OptionalDouble.empty();
        for (Sample s : samples) {
            if (s.primaries() > 1) {
                both++;
            }
            if (s.atMillis() < t0) {
                continue;
            }
            n++;
            String r = s.roles().get(isolated);
            if (left.isEmpty() && r != null && !r.startsWith("primary")) {
                left = OptionalDouble.of(Facts.seconds(t0, s.atMillis()));
            }
            if (promoted.isEmpty() && s.roles().getOrDefault(other, "").startsWith("primary")) {
                promoted = OptionalDouble.of(Facts.seconds(t0, s.atMillis()));
            }
        }
        return new Analysis(n, both, left, promoted);
    }
}
