package dev.chat.loadgen.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A load process of a benchmark spread over several processes: {@link BenchCommand} starts it and sends it one
 * request per line on standard input ({@link WorkerCore}); it answers each with one line on standard output
 * ({@code {"ok":true,"result":...}} or {@code {"ok":false,"error":"..."}}). Its diagnostics go to standard error.
 * It exits at end of input or after {@code --max-runtime}.
 */
@Command(name = "bench-worker", hidden = true, description = "A load process of 'bench' (started by it; speaks JSON lines).")
public final class BenchWorkerCommand implements Callable<Integer> {
    @Option(names = "--url", required = true)
    String url;

    @Option(names = "--ca-cert")
    Path caCert;

    @Option(names = "--tag", required = true)
    String tag;

    @Option(names = "--max-runtime", defaultValue = "7200")
    long maxRuntimeSeconds;

    @Override
    public Integer call() throws Exception {
        ObjectMapper json = new ObjectMapper();
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        // Nothing else may write to standard output: it carries the answers.
        System.setOut(System.err);
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(maxRuntimeSeconds * 1000);
                System.err.println("bench-worker " + tag + ": --max-runtime reached, exiting");
                Runtime.getRuntime().halt(4);
            } catch (InterruptedException e) {
                // done in time
            }
        }, "bench-worker-deadline");
        killer.setDaemon(true);
        killer.start();
        try (WorkerCore core = new WorkerCore(json, url, caCert, tag);
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode req = json.readTree(line);
                String answer;
                try {
                    answer = json.writeValueAsString(core.ok(core.handle(req)));
                } catch (RuntimeException e) {
                    answer = json.writeValueAsString(json.createObjectNode().put("ok", false)
                            .put("error", e.getMessage() == null ? e.toString() : e.getMessage()));
                }
                out.println(answer);
                if ("close".equals(req.path("op").asText())) {
                    break;
                }
            }
        }
        return 0;
    }
}
