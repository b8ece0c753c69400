package dev.chat.node.routing;

/**
 * Where the router hands a frame whose recipients are on this node (routed here directly, or arrived from another
 * node through the {@link Broker}). Routing sits below delivery, so it calls up through this handler instead of
 * importing it (as centrifuge's {@code Broker} calls its {@code BrokerEventHandler}); {@code delivery.Pusher}
 * implements it.
 */
public interface LocalRecipients {
    /**
     * A {@code msg} frame for {@code user}: written to their sockets here and tracked until acked. Answers how many
     * sockets took it (0 is fine: the message waits in PostgreSQL).
     */
    int push(String user, String id, String frame);

    /** A frame nobody acks ({@code delivered}, {@code typing}): at most once, to the sockets open now. */
    void notice(String user, String frame);
}
