package dev.chat.node.delivery;

import java.util.List;

import jakarta.inject.Singleton;

import dev.chat.node.groups.GroupLog;
import dev.chat.node.protocol.ClientFrame;
import dev.chat.node.protocol.ErrorCode;
import dev.chat.node.protocol.ServerFrames;
import dev.chat.node.routing.Router;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;

/**
 * Typing indicators: ephemeral (never stored, at most once, to sockets open now) and rate-limited per socket,
 * so a client that sends one per keystroke costs the others one notice a second at most.
 */
@Singleton
public class TypingNotices {
    static final long MIN_INTERVAL_MS = 1_000;
    private static final UserData.TypedKey<Long> LAST = UserData.TypedKey.forLong("typing.last");

    private final Router router;
    private final GroupLog groups;
    private final ServerFrames frames;

    TypingNotices(Router router, GroupLog groups, ServerFrames frames) {
        this.router = router;
        this.groups = groups;
        this.frames = frames;
    }

    /** Passes the notice on (one a second per socket at most); answers the reply to the typist, null for none. */
    public Uni<String> typing(String from, ClientFrame.Typing typing, WebSocketConnection connection) {
        long now = System.currentTimeMillis();
        Long last = connection.userData().get(LAST);
        if (last != null && now - last < MIN_INTERVAL_MS) {
            return Uni.createFrom().nullItem();
        }
        connection.userData().put(LAST, now);
        if (typing.to() != null) {
            router.notify(typing.to(), frames.typing(from, null));
            return Uni.createFrom().nullItem();
        }
        return groups.membersSeenBy(typing.group(), from).chain(members -> {
            if (members == null) {
                return Uni.createFrom().item(frames.error(typing.id(), ErrorCode.NOT_A_MEMBER,
                        "no such group, or you are not a member of it"));
            }
            List<String> others = members.stream().filter(m -> !m.equals(from)).toList();
            router.notify(others, frames.typing(from, typing.group()));
            return Uni.createFrom().<String>nullItem();
        });
    }
}
