package dev.chat.node.protocol;

/** A frame a client sent, already checked against the contract. */
public sealed interface ClientFrame {
    /** Every frame carries the client's ID. */
    String id();

    /** {@code {"type":"send","id":ID,"to":U,"body":TEXT}} */
    record Send(String id, String to, String body) implements ClientFrame {
    }

    /** Extension: {@code {"type":"send","id":ID,"group":G,"body":TEXT}}, a message to every member of G. */
    record SendToGroup(String id, long group, String body) implements ClientFrame {
    }

    /**
     * Extension: {@code {"type":"typing","to":U}} or {@code {"type":"typing","group":G}}: ephemeral, never
     * stored, rate-limited; the ID is optional. Exactly one of {@code to} and {@code group} is set.
     */
    record Typing(String id, String to, Long group) implements ClientFrame {
    }

    /**
     * Extension: {@code {"type":"edit","id":ID,"target":MID,"body":TEXT}} or
     * {@code {"type":"delete","id":ID,"target":MID,"targetFrom":U}}: a change to the message {@code (targetFrom, MID)}
     * ({@code targetFrom} is the sender's own name when left out). The change is an event with its own ID, stored,
     * acked and delivered like a message. {@code body} is null for a delete.
     */
    record Change(String id, Kind kind, String target, String targetFrom, String body) implements ClientFrame {
        public enum Kind {
            EDIT("edit"), DELETE("delete");

            private final String wire;

            Kind(String wire) {
                this.wire = wire;
            }

            public String wire() {
                return wire;
            }
        }
    }

    /** {@code {"type":"ack","id":ID}}: the recipient has the message. */
    record Ack(String id) implements ClientFrame {
    }

    /**
     * Extension: {@code {"type":"ping","id":ID}}, answered by {@code {"type":"pong","id":ID}}. Browsers cannot
     * send WebSocket pings, and an idle socket does not notice a dead path (a virtual IP that moved) without
     * traffic: the client module pings every few seconds and reconnects when pongs stop.
     */
    record Ping(String id) implements ClientFrame {
    }

    /**
     * Extension: {@code {"type":"reauth","token":JWT}} (the ID optional): a fresh access token of the same user, so
     * the socket outlives its first token's expiry; answered by {@code reauthed} with the new expiry.
     */
    record Reauth(String id, String token) implements ClientFrame {
        @Override
        public String toString() {
            // Keeps the token out of logs and exception messages.
            return "Reauth[id=" + id + "]";
        }
    }
}
