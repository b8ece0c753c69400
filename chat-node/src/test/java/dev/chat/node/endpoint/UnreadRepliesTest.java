package dev.chat.node.endpoint;

import static dev.chat.node.TestAccounts.create;
import static dev.chat.node.TestAccounts.token;
import static dev.chat.testing.ChatClient.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.chat.node.TestAccounts;
import dev.chat.node.sockets.LocalSockets;
import dev.chat.testing.ChatClient;
import dev.chat.testing.Poll;
import dev.chat.testing.quarkus.JwtKeysResource;
import dev.chat.testing.quarkus.PostgresResource;
import dev.chat.testing.quarkus.RedisResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A client that sends but never reads (issue 19): its pongs pile up unflushed on the node. They count against the
 * socket's bound on frames not taken like any message, and its pings against the socket's frame rate, so the node
 * cuts the socket off (1008) instead of growing its heap (measured: flat), and the other users of the node keep
 * chatting.
 */
@QuarkusTest
@Tag("quarkus")
@WithTestResource(PostgresResource.class)
@WithTestResource(RedisResource.class)
@WithTestResource(JwtKeysResource.class)
class UnreadRepliesTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Far more pongs than the kernel's buffers on loopback and the node's bound hold together. */
    private static final int MAX_PINGS = 3_000_000;
    /**
     * Control pings: their pongs (125 bytes each) would take tens of MiB queued on a node that never cut the socket
     * off (on main), which the heap margin catches before the test JVM runs short.
     */
    private static final int MAX_CONTROL_PINGS = 300_000;
    /** What the heap may grow by across the test: 3 million queued pongs would take hundreds of MiB. */
    private static final long HEAP_MARGIN = 32L << 20;

    @TestHTTPResource("/ws/chat")
    URI http;

    @Inject
    LocalSockets sockets;
    @Inject
    MeterRegistry registry;

    @BeforeAll
    static void accounts() {
        TestAccounts.ensureTable();
    }

    @Test
    void aClientThatPingsAndNeverReadsIsCutOffAndOthersKeepChatting() throws Exception {
        neverReadingClientIsCutOffWhileOthersChat("neverreads", UnreadRepliesTest::pingUntil,
                "a client that never reads was not cut off after its pings");
    }

    /**
     * The same client with WebSocket pings (control frames, which the framework answers with a pong of its own
     * before any handler of ours sees them): failed on main, where nothing of ours saw them, so nothing cut the
     * socket off while its pongs queued on the node. Now each takes a token of the frame rate like any frame, and
     * its pong counts against the socket's frames not taken: the socket is cut off (1008), the heap stays flat, and
     * the other users of the node keep chatting.
     */
    @Test
    void aClientThatSendsControlPingsAndNeverReadsIsCutOffAndOthersKeepChatting() throws Exception {
        neverReadingClientIsCutOffWhileOthersChat("neverreadsctl", UnreadRepliesTest::controlPingsUntil,
                "a client that sends WebSocket pings and never reads was not cut off");
    }

    /**
     * A raw socket of a fresh account that {@code pings} (until told to stop) and never reads: it is cut off, the
     * heap is back where it was, the cut is counted, any close code it still gets is 1008, and two other users of
     * the node keep chatting.
     */
    private void neverReadingClientIsCutOffWhileOthersChat(String name, java.util.function.BiConsumer<Socket, AtomicBoolean> pings,
            String notCut) throws Exception {
        URI ws = URI.create(http.toString().replaceFirst("^http", "ws"));
        String reader = create(name);
        String ann = create("ann");
        String bob = create("bob");
        try (ChatClient a = ChatClient.connect(ws, token(ann)); ChatClient b = ChatClient.connect(ws, token(bob));
                Socket raw = new Socket()) {
            raw.setReceiveBufferSize(4096);
            raw.connect(new InetSocketAddress("127.0.0.1", http.getPort()));
            upgrade(raw, token(reader));
            Poll.until(WAIT, () -> sockets.count(reader), n -> n == 1, n -> n + " sockets of the reader");
            long heapBefore = heapAfterGc();
            double cutBefore = cuts();
            AtomicBoolean stop = new AtomicBoolean();
            Thread pinger = new Thread(() -> pings.accept(raw, stop), "pinger-" + name);
            pinger.setDaemon(true);
            pinger.start();
            try {
                Poll.until(WAIT, () -> sockets.count(reader), n -> n == 0, n -> notCut);
            } finally {
                stop.set(true);
                pinger.join(Duration.ofSeconds(5).toMillis());
            }
            // Whatever the node queued for it has gone with the socket: the heap is back where it was (within a
            // margin far below what millions of queued pongs would take).
            long grown = heapAfterGc() - heapBefore;
            assertTrue(grown < HEAP_MARGIN, "heap grew by " + grown / 1024 + " KiB");
            // Cut off by one of the two bounds, whichever the client reached first: frames not taken, or frames past
            // the rate (both close with 1008; the close frame itself may be dropped with the queue behind it).
            assertTrue(cuts() > cutBefore, "counted as a slow consumer or a flood");
            closeCode(raw).ifPresent(code -> assertEquals(1008, code, "the documented code for a client that never reads"));
            String id = UUID.randomUUID().toString();
            a.sendMessage(id, bob, "still here");
            a.await(frame("ack", id), WAIT);
            b.await(frame("msg", id), WAIT);
            assertTrue(a.isOpen() && b.isOpen());
        }
    }

    /**
     * The JVM's used heap after a full collection: the node runs in this JVM ({@code @QuarkusTest}), so this is its
     * heap plus the test's (which holds nothing that grows with the pings).
     */
    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private double cuts() {
        return registry.counter("chat.sockets.slow.consumers.cut").count()
                + registry.counter("chat.sockets.floods.cut").count();
    }

    /**
     * Reads server frames (unmasked) until a close frame; answers its code, or empty when the connection ends
     * without one. Bounded by a read timeout.
     */
    private static java.util.Optional<Integer> closeCode(Socket raw) throws IOException {
        raw.setSoTimeout((int) WAIT.toMillis());
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw.getInputStream(), 1 << 16));
        try {
            return readUntilClose(raw, in);
        } catch (java.io.EOFException e) {
            return java.util.Optional.empty();
        } catch (java.net.SocketException e) {
            // The node closed the connection while the client's pings were still unread in its receive buffer:
            // TCP answers that with a reset instead of a FIN, so the connection ends without a close frame here too.
            if (String.valueOf(e.getMessage()).contains("reset")) {
                return java.util.Optional.empty();
            }
            throw e;
        }
    }

    private static java.util.Optional<Integer> readUntilClose(Socket raw, DataInputStream in) throws IOException {
        for (long frames = 0; frames < 10L * MAX_PINGS; frames++) {
            int first = in.read();
            if (first < 0) {
                return java.util.Optional.empty();
            }
            int opcode = first & 0x0f;
            long length = in.readUnsignedByte() & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            if (opcode == 0x8) {
                // Answer the close, as a client does, so that the node may end the connection at once.
                OutputStream out = raw.getOutputStream();
                out.write(new byte[] { (byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xe8 });
                out.flush();
                return java.util.Optional.of(((payload[0] & 0xff) << 8) | (payload[1] & 0xff));
            }
        }
        throw new AssertionError("no close frame");
    }

    /** The opening handshake by hand: a client of our own that never reads past it. */
    private static void upgrade(Socket raw, String token) throws IOException {
        OutputStream out = raw.getOutputStream();
        out.write(("GET /ws/chat HTTP/1.1\r\nHost: 127.0.0.1:" + raw.getPort() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = raw.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n") && head.length() < 8192) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
    }

    /**
     * Masked WebSocket ping control frames of 125 bytes (the most a control frame carries, each answered by a pong as
     * large), as fast as the node takes them, until told to stop, the node closes, or {@link #MAX_CONTROL_PINGS}.
     */
    private static void controlPingsUntil(Socket raw, AtomicBoolean stop) {
        byte[] frame = new byte[2 + 4 + 125];
        frame[0] = (byte) 0x89;
        frame[1] = (byte) (0x80 | 125);
        java.util.Arrays.fill(frame, 6, frame.length, (byte) 'p');
        try {
            OutputStream out = new BufferedOutputStream(raw.getOutputStream(), 1 << 16);
            for (int i = 0; i < MAX_CONTROL_PINGS && !stop.get(); i++) {
                out.write(frame);
                if (i % 256 == 255) {
                    out.flush();
                }
            }
            out.flush();
        } catch (IOException e) {
            // The node closed the connection (or the test did): the end of the pings.
        }
    }

    /** Masked text frames (a zero mask: the payload as is) of pings, until told to stop or the node closes. */
    private static void pingUntil(Socket raw, AtomicBoolean stop) {
        try {
            OutputStream out = new BufferedOutputStream(raw.getOutputStream(), 1 << 16);
            for (int i = 0; i < MAX_PINGS && !stop.get(); i++) {
                byte[] payload = ("{\"type\":\"ping\",\"id\":\"p" + i + "\"}").getBytes(StandardCharsets.UTF_8);
                out.write(0x81);
                out.write(0x80 | payload.length);
                out.write(new byte[4]);
                out.write(payload);
                if (i % 256 == 255) {
                    out.flush();
                }
            }
            out.flush();
        } catch (IOException e) {
            // The node closed the connection (or the test did): the end of the pings.
        }
    }
}
