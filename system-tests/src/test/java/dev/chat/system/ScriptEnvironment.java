package dev.chat.system;

import java.util.Map;

/**
 * The environment of every script and process the system tests start from the repository root: none of the caller's
 * {@code CHAT_*} settings or {@code LOADGEN_JAR} (an operator's exported {@code CHAT_JAVA_OPTS} must not change what a
 * test proves), and the test stacks' one JVM flag of their own, {@link #SERVICES_EXTRA_JVM_FLAGS}.
 */
final class ScriptEnvironment {
    /**
     * What scripts/up adds to the services' JVM flags ({@code CHAT_JAVA_EXTRA_OPTS}) in every stack a test starts:
     * compile with C1 only. The services of a stack then start on about half the CPU (50 against 25 CPU-seconds for
     * the five JVMs of the single topology, one run each on this kind of 2-core machine), and on such a machine a
     * stack's start is mostly that CPU. Nothing a test here asserts depends on the JIT's second tier; the benchmark
     * ({@code scripts/bench}, run by hand) keeps the shipped flags.
     */
    static final String SERVICES_EXTRA_JVM_FLAGS = "-XX:TieredStopAtLevel=1";

    private ScriptEnvironment() {
    }

    /** Prepares a child process's environment (its {@link ProcessBuilder#environment()}) as above. */
    static void prepare(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith("CHAT_") || k.equals("LOADGEN_JAR"));
        env.put("CHAT_JAVA_EXTRA_OPTS", SERVICES_EXTRA_JVM_FLAGS);
    }
}
