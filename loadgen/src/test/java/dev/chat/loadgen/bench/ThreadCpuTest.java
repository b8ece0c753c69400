package dev.chat.loadgen.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The CPU of some of a process's threads, picked by name ({@link Proc#threadCpuNanos}): how a report tells a
 * JVM's JIT compilers apart from the program they compile.
 */
class ThreadCpuTest {
    @Test
    void aLiveThreadsCpuIsCountedAndOthersAreNot() throws Exception {
        long self = ProcessHandle.current().pid();
        String name = "burner-" + System.nanoTime() % 100_000;
        var done = new java.util.concurrent.CountDownLatch(1);
        var release = new java.util.concurrent.CountDownLatch(1);
        Thread burner = new Thread(() -> {
            burn();
            done.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        burner.setDaemon(true);
        burner.start();
        try {
            assertTrue(done.await(30, TimeUnit.SECONDS), "the burner burns within its bound");
            long burnt = ManagementFactory.getThreadMXBean().getThreadCpuTime(burner.getId());
            long counted = Proc.threadCpuNanos(self, name::equals);
            // /proc counts in clock ticks (10 ms): the two agree within a few ticks.
            assertTrue(burnt >= 200_000_000L, "the burner used at least 200 ms of CPU: " + burnt);
            assertTrue(Math.abs(counted - burnt) <= 50_000_000L, "counted " + counted + " ns, the JVM says " + burnt);
            assertEquals(0, Proc.threadCpuNanos(self, "no such thread"::equals));
            long all = Proc.threadCpuNanos(self, n -> true);
            assertTrue(all >= counted, "every thread's CPU " + all + " includes the burner's " + counted);
        } finally {
            release.countDown();
        }
        assertEquals(0, Proc.threadCpuNanos(Long.MAX_VALUE, n -> true), "a process that is not there: 0");
    }

    @Test
    void hotSpotsCompilerThreadsAreTheJit() {
        assertTrue(Proc.jitCompiler("C2 CompilerThre"));
        assertTrue(Proc.jitCompiler("C1 CompilerThre"));
        assertFalse(Proc.jitCompiler("vert.x-eventloo"));
        assertFalse(Proc.jitCompiler("VM Thread"));
        assertFalse(Proc.jitCompiler("Sweeper thread"));
    }

    @Test
    void aWindowCountsAsStillCompilingByTheChatNodesShareAlone() {
        var cores = java.util.Map.of("chat-node-1", 0.4, "chat-node-2", 0.4, "haproxy", 0.2, "user-service", 0.1);
        // user-service's compiler is not a chat node's: it is in neither sum.
        var jit = java.util.Map.of("chat-node-1", 0.2, "chat-node-2", 0.0, "user-service", 0.1);
        assertEquals(0.25, BenchCommand.chatNodesJitShare(cores, jit), 1e-9);
        assertTrue(BenchCommand.chatNodesJitShare(cores, jit) > BenchCommand.STILL_COMPILING);
        assertEquals(0.0, BenchCommand.chatNodesJitShare(cores, java.util.Map.of()), 1e-9);
        assertEquals(0.0, BenchCommand.chatNodesJitShare(java.util.Map.of(), jit), 1e-9, "nothing measured");
    }

    /** Spins until this thread has used 300 ms of CPU, bounded by 20 s of wall time. */
    private static void burn() {
        var mx = ManagementFactory.getThreadMXBean();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long x = 0;
        while (mx.getCurrentThreadCpuTime() < 300_000_000L && System.nanoTime() < end) {
            for (int i = 0; i < 10_000; i++) {
                x += i * 31L ^ x;
            }
        }
        if (x == 42) {
            System.out.print("");
        }
    }
}
