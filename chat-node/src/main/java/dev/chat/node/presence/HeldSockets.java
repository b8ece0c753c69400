package dev.chat.node.presence;

import java.util.List;
import java.util.Map;

/**
 * The sockets this node holds, as the heartbeat writes them into the presence map again. Presence sits below the
 * sockets layer, so it asks through this handler instead of importing it (the way centrifuge's {@code Broker}
 * calls its {@code BrokerEventHandler}); {@code sockets.LocalSockets} implements it.
 */
public interface HeldSockets {
    /** Every open socket's id by user, copied: a user with sockets here appears with at least one. */
    Map<String, List<String>> socketIdsByUser();
}
