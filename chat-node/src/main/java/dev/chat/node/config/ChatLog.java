package dev.chat.node.config;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Log lines about a user and a message: the user and message ID go into the line's fields ({@code user},
 * {@code msg}; JSON logs show them as keys, next to {@code node}) as well as into its text. Never a token or
 * a message body.
 */
public final class ChatLog {
    private final Logger log;

    private ChatLog(Logger log) {
        this.log = log;
    }

    public static ChatLog of(Class<?> owner) {
        return new ChatLog(Logger.getLogger(owner));
    }

    public void info(String user, String msg, String format, Object... args) {
        log(Logger.Level.INFO, user, msg, format, args);
    }

    public void warn(String user, String msg, String format, Object... args) {
        log(Logger.Level.WARN, user, msg, format, args);
    }

    public void error(String user, String msg, String format, Object... args) {
        log(Logger.Level.ERROR, user, msg, format, args);
    }

    public void debug(String user, String msg, String format, Object... args) {
        log(Logger.Level.DEBUG, user, msg, format, args);
    }

    private void log(Logger.Level level, String user, String msg, String format, Object... args) {
        if (!log.isEnabled(level)) {
            return;
        }
        if (user != null) {
            MDC.put("user", user);
        }
        if (msg != null) {
            MDC.put("msg", msg);
        }
        try {
            log.logf(level, format, args);
        } finally {
            MDC.remove("user");
            MDC.remove("msg");
        }
    }
}
