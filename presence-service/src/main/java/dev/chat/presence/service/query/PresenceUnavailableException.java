package dev.chat.presence.service.query;

/** Redis could not answer in time; the caller may retry, the answer is unknown rather than "offline". */
public class PresenceUnavailableException extends RuntimeException {
    public PresenceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
