package dev.chat.node.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One place a message goes: this node's own sockets, or another node's channel, with the recipients there. */
public record RouteTarget(String node, boolean local, List<String> recipients) {

    /**
     * One target per node that holds any recipient, naming every recipient it holds: a message crosses Redis
     * once per node, never once per member, never to every node.
     */
    public static List<RouteTarget> plan(Map<String, ? extends Collection<String>> nodesByUser, String self) {
        Map<String, List<String>> byNode = new LinkedHashMap<>();
        for (Map.Entry<String, ? extends Collection<String>> e : nodesByUser.entrySet()) {
            for (String node : e.getValue()) {
                if (node != null && !node.isEmpty()) {
                    byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(e.getKey());
                }
            }
        }
        List<RouteTarget> out = new ArrayList<>(byNode.size());
        byNode.forEach((node, users) -> out.add(new RouteTarget(node, node.equals(self), users)));
        return out;
    }

    public static List<RouteTarget> plan(String user, Set<String> nodes, String self) {
        return plan(Map.of(user, nodes), self);
    }
}
