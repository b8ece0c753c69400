package dev.chat.node.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** One place a message goes: this node's own sockets, or another node's channel. */
public record RouteTarget(String node, boolean local) {

    /** One target per node that holds the recipient: never per socket, never every node. */
    public static List<RouteTarget> of(Collection<String> nodes, String self) {
        List<RouteTarget> out = new ArrayList<>(nodes.size());
        for (String n : nodes) {
            if (n != null && !n.isEmpty()) {
                out.add(new RouteTarget(n, n.equals(self)));
            }
        }
        return out;
    }
}
