package dev.chat.node.api;

import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Singleton;

import dev.chat.node.config.ChatLog;
import dev.chat.node.groups.GroupLog;
import dev.chat.node.protocol.ServerFrames;
import dev.chat.node.routing.Router;
import io.smallrye.mutiny.Uni;

/**
 * Tells a group's members, live, that it changed (a member added, removed, joined or left, a rename, a role): one
 * {@code group} notice per change to every socket of every member, and of the member who was removed. Notices are at
 * most once (the page also reads the group again on reload); a notice that cannot be sent never fails the change.
 */
@Singleton
public class GroupNotices {
    private static final ChatLog LOG = ChatLog.of(GroupNotices.class);

    private final GroupLog groups;
    private final Router router;
    private final ServerFrames frames;

    GroupNotices(GroupLog groups, Router router, ServerFrames frames) {
        this.groups = groups;
        this.router = router;
        this.frames = frames;
    }

    /**
     * Sends the notice of a committed change to the group's members now, and to {@code alsoTo} (someone no longer a
     * member) when not null. Completes when the notice is handed to routing; never fails.
     */
    public Uni<Void> tell(long group, String change, String by, String user, String name, String role, String alsoTo) {
        String frame = frames.groupChange(group, change, by, user, name, role);
        return groups.members(group).invoke(members -> {
            List<String> to = new ArrayList<>(members);
            if (alsoTo != null && !to.contains(alsoTo)) {
                to.add(alsoTo);
            }
            if (!to.isEmpty()) {
                router.notify(to, frame);
            }
        }).onFailure().invoke(e -> LOG.warn(by, null, "user=%s group=%d %s notice not sent: %s", by, group, change,
                e.getMessage())).onFailure().recoverWithNull().replaceWithVoid();
    }
}
