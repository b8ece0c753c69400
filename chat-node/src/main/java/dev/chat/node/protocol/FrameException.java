package dev.chat.node.protocol;

/** A frame the server refuses; becomes an error frame and leaves the socket open. */
public class FrameException extends RuntimeException {
    private final ErrorCode code;
    private final String id;

    public FrameException(ErrorCode code, String id, String message) {
        super(message, null, false, false);
        this.code = code;
        this.id = id;
    }

    public ErrorCode code() {
        return code;
    }

    /** The frame's ID when it had a readable one, else null. */
    public String id() {
        return id;
    }
}
