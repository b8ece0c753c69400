package dev.chat.presence.service.query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.chat.presence.model.PresenceKeys;
import dev.chat.presence.model.RedisBatches;
import dev.chat.presence.service.config.PresenceSettings;
import dev.chat.presence.service.redis.Replies;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * Answers presence questions from the map the chat nodes write. A user's entry on a node only counts while
 * that node's heartbeat is fresh: the sweeper removes a dead node's entries within seconds, but between the
 * node's death and the sweep the map still names it, and answering "online" then would be wrong.
 */
@ApplicationScoped
public class PresenceQuery {
    private static final Logger LOG = Logger.getLogger(PresenceQuery.class);

    @Inject
    Redis redis;

    @Inject
    PresenceSettings settings;

    /**
     * Presence of each distinct user, in the order given. One pipelined batch: the set of fresh nodes plus one
     * HGETALL per user, so a bulk query costs one round trip whatever its size.
     */
    public Uni<Map<String, UserPresence>> lookup(Collection<String> users) {
        List<String> distinct = List.copyOf(new LinkedHashSet<>(users));
        if (distinct.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        long freshSince = settings.freshSince(System.currentTimeMillis());
        List<Request> batch = new ArrayList<>(distinct.size() + 1);
        batch.add(Request.cmd(Command.ZRANGEBYSCORE).arg(PresenceKeys.NODES).arg(freshSince).arg("+inf"));
        for (String user : distinct) {
            batch.add(Request.cmd(Command.HGETALL).arg(PresenceKeys.user(user)));
        }
        return guarded(RedisBatches.batch(redis, batch), "presence lookup")
                .map(replies -> {
                    Set<String> fresh = new HashSet<>(Replies.strings(replies.get(0)));
                    Map<String, UserPresence> out = new LinkedHashMap<>();
                    for (int i = 0; i < distinct.size(); i++) {
                        String user = distinct.get(i);
                        out.put(user, presenceOf(user, Replies.counts(replies.get(i + 1)), fresh));
                    }
                    return out;
                });
    }

    public Uni<UserPresence> lookup(String user) {
        return lookup(List.of(user)).map(all -> all.get(user));
    }

    /**
     * Every node with a heartbeat entry, alive or not yet swept. Two round trips: the heartbeat set, then one
     * batch reading each node's sockets.
     */
    public Uni<List<NodeStatus>> nodes() {
        Uni<Response> heartbeats = redis.send(Request.cmd(Command.ZRANGE).arg(PresenceKeys.NODES).arg(0).arg(-1)
                .arg("WITHSCORES"));
        return guarded(heartbeats, "node listing")
                .map(Replies::scores)
                .chain(scores -> {
                    if (scores.isEmpty()) {
                        return Uni.createFrom().item(List.<NodeStatus>of());
                    }
                    List<String> ids = List.copyOf(scores.keySet());
                    List<Request> batch = new ArrayList<>();
                    for (String id : ids) {
                        // HVALS, not HLEN: operators want distinct users, and a user may hold several sockets.
                        batch.add(Request.cmd(Command.HVALS).arg(PresenceKeys.nodeSockets(id)));
                    }
                    long freshSince = settings.freshSince(System.currentTimeMillis());
                    return guarded(RedisBatches.batch(redis, batch), "node listing").map(replies -> {
                        List<NodeStatus> out = new ArrayList<>(ids.size());
                        for (int i = 0; i < ids.size(); i++) {
                            List<String> socketUsers = Replies.strings(replies.get(i));
                            long last = scores.get(ids.get(i));
                            out.add(new NodeStatus(ids.get(i), socketUsers.size(), new HashSet<>(socketUsers).size(),
                                    last, last >= freshSince));
                        }
                        return out;
                    });
                });
    }

    static UserPresence presenceOf(String user, Map<String, Long> perNode, Set<String> freshNodes) {
        long sockets = 0;
        List<String> nodes = new ArrayList<>();
        for (Map.Entry<String, Long> e : perNode.entrySet()) {
            if (e.getValue() > 0 && freshNodes.contains(e.getKey())) {
                sockets += e.getValue();
                nodes.add(e.getKey());
            }
        }
        nodes.sort(null);
        return new UserPresence(user, sockets > 0, sockets, List.copyOf(nodes));
    }

    /** Bounds a Redis call and turns any failure into "unknown", which the API answers with 503. */
    private <T> Uni<T> guarded(Uni<T> call, String what) {
        return call.ifNoItem().after(settings.queryTimeout()).fail()
                .onFailure().transform(e -> {
                    // Debug only: during an outage every request fails alike; the sweeper's warning and the
                    // readiness check announce the outage once, and HTTP metrics count the 503s.
                    LOG.debugf("%s failed: %s", what, e.toString());
                    return new PresenceUnavailableException("presence store unavailable", e);
                });
    }
}
