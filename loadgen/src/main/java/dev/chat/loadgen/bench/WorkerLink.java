package dev.chat.loadgen.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The coordinator's handle on one load process: in this JVM, or a child JVM speaking JSON lines. */
interface WorkerLink extends AutoCloseable {
    JsonNode call(JsonNode request);

    long pid();

    @Override
    void close();

    /** The load runs in the coordinator's own process. */
    final class Local implements WorkerLink {
        private final WorkerCore core;

        Local(ObjectMapper json, String url, Path caCert, String tag) {
            this.core = new WorkerCore(json, url, caCert, tag);
        }

        @Override
        public synchronized JsonNode call(JsonNode request) {
            return core.handle(request);
        }

        @Override
        public long pid() {
            return ProcessHandle.current().pid();
        }

        @Override
        public void close() {
            core.close();
        }
    }

    /** A child JVM running {@code bench-worker} from the same jar with the same JVM flags. */
    final class Remote implements WorkerLink {
        private final ObjectMapper json;
        private final Process process;
        private final Writer in;
        private final BufferedReader out;
        private final String tag;

        Remote(ObjectMapper json, String url, Path caCert, String tag) {
            this.json = json;
            this.tag = tag;
            String java = ProcessHandle.current().info().command().orElse(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString());
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (!arg.startsWith("-agentlib:jdwp")) {
                    cmd.add(arg);
                }
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.chat.loadgen.Main", "bench-worker",
                    "--url", url, "--tag", tag));
            if (caCert != null) {
                cmd.addAll(List.of("--ca-cert", caCert.toString()));
            }
            try {
                process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            } catch (IOException e) {
                throw new IllegalStateException("could not start a load process: " + e.getMessage(), e);
            }
            in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        @Override
        public synchronized JsonNode call(JsonNode request) {
            try {
                in.write(json.writeValueAsString(request));
                in.write('\n');
                in.flush();
                String line = out.readLine();
                if (line == null) {
                    throw new IllegalStateException("load process " + tag + " (pid " + process.pid() + ") exited"
                            + (process.isAlive() ? "" : " with " + process.waitFor()));
                }
                JsonNode answer = json.readTree(line);
                if (!answer.path("ok").asBoolean()) {
                    throw new IllegalStateException("load process " + tag + ": " + answer.path("error").asText());
                }
                return answer.path("result");
            } catch (IOException e) {
                throw new IllegalStateException("load process " + tag + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException e) {
                // gone already
            }
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroy();
                    if (!process.waitFor(5, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
