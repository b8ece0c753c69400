package dev.chat.node.testing;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * An open socket for handler-level tests (after netty's EmbeddedChannel): its id, its {@link UserData} and that it
 * is open, nothing else. The socket's frames are written through {@code sockets.UserSockets} ({@link MemorySockets}
 * records them), never to the connection itself: any other call fails the test.
 */
public final class EmbeddedConnection {
    private EmbeddedConnection() {
    }

    /** An open connection of {@code user} (under the key the upgrade stores it with). */
    public static WebSocketConnection of(String id, UserData.TypedKey<String> userKey, String user) {
        UserData data = new MapUserData();
        data.put(userKey, user);
        return (WebSocketConnection) Proxy.newProxyInstance(EmbeddedConnection.class.getClassLoader(),
                new Class<?>[] { WebSocketConnection.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "id" -> id;
                    case "userData" -> data;
                    case "isOpen" -> true;
                    case "isClosed" -> false;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "EmbeddedConnection[" + id + "]";
                    default -> throw new UnsupportedOperationException("not embedded: " + method.getName());
                });
    }

    private static final class MapUserData implements UserData {
        private final Map<String, Object> values = new ConcurrentHashMap<>();

        @Override
        @SuppressWarnings("unchecked")
        public <V> V get(TypedKey<V> key) {
            return (V) values.get(key.value());
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> V put(TypedKey<V> key, V value) {
            return (V) values.put(key.value(), value);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> V remove(TypedKey<V> key) {
            return (V) values.remove(key.value());
        }

        @Override
        public int size() {
            return values.size();
        }

        @Override
        public void clear() {
            values.clear();
        }
    }
}
