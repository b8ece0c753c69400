package dev.chat.users.events;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.chat.users.account.Account;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * The audit trail of signups and logins: one log line each, with {@code event} and {@code username} also in
 * the MDC so the JSON log carries them as fields, plus a counter per outcome. Passwords and tokens never
 * reach this class.
 */
@Startup // registers the counters at boot, so the series exist (at zero) before the first event
@ApplicationScoped
public class AccountEvents {
    private static final Logger LOG = Logger.getLogger("dev.chat.users.audit");
    private static final int MAX_LOGGED_USERNAME = 64;

    private final Counter created;
    private final Counter loginOk;
    private final Counter loginFailed;
    private final Counter loginThrottled;

    public AccountEvents(MeterRegistry registry) {
        this.created = Counter.builder("chat.users.accounts.created").register(registry);
        this.loginOk = Counter.builder("chat.users.logins").tag("outcome", "ok").register(registry);
        this.loginFailed = Counter.builder("chat.users.logins").tag("outcome", "failed").register(registry);
        this.loginThrottled = Counter.builder("chat.users.logins").tag("outcome", "throttled").register(registry);
    }

    public void accountCreated(Account account) {
        created.increment();
        log("account_created", account.username(), "account created id=%d", account.id());
    }

    public void loginSucceeded(long accountId, String username) {
        loginOk.increment();
        log("login_ok", username, "login ok id=%d", accountId);
    }

    public void loginFailed(String username, String reason) {
        loginFailed.increment();
        log("login_failed", username, "login failed reason=%s", reason);
    }

    /** Refused before the password was looked at: too many failures of the account or from the source. */
    public void loginThrottled(String username, String scope, long retryAfterSeconds) {
        loginThrottled.increment();
        log("login_throttled", username, "login throttled scope=%s", scope + " retryAfter=" + retryAfterSeconds);
    }

    private static void log(String event, String username, String format, Object detail) {
        String safe = printable(username);
        MDC.put("event", event);
        MDC.put("username", safe);
        try {
            LOG.infof(format + " username=%s", detail, safe);
        } finally {
            MDC.remove("event");
            MDC.remove("username");
        }
    }

    // A failed login's username is whatever the client sent: keep it to one short line in plain-text logs.
    static String printable(String username) {
        if (username == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        username.codePoints().limit(MAX_LOGGED_USERNAME).forEach(cp -> {
            if (Character.isISOControl(cp) || Character.getType(cp) == Character.LINE_SEPARATOR
                    || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }
}
