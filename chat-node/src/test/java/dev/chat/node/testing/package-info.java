/**
 * In-memory implementations of chat-node's own seams, for unit tests that run in milliseconds without Redis,
 * PostgreSQL or Quarkus (after centrifuge's {@code broker_memory.go} and {@code presence_memory.go}):
 * {@link dev.chat.node.testing.MemoryMessageLog}, {@link dev.chat.node.testing.MemoryBroker} (several nodes in one
 * JVM), {@link dev.chat.node.testing.MemoryPresence}, {@link dev.chat.node.testing.MemorySockets}, each of the stores
 * able to fail on demand ({@link dev.chat.node.testing.Failures}), and a clock moved by hand
 * ({@link dev.chat.node.testing.FakeTime}).
 *
 * <p>They live in chat-node's test sources, not in test-support: the seams are chat-node's interfaces, and
 * test-support depending on chat-node while chat-node's tests depend on test-support would be a cycle. None is a
 * CDI bean (no bean-defining annotation), so {@code @QuarkusTest}s never see them.
 */
package dev.chat.node.testing;
