package dev.chat.node.lifecycle;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;

/** A draining node takes no new sockets: 503 tells the client to try again, which lands on another node. */
@ApplicationScoped
public class DrainingUpgradeCheck implements HttpUpgradeCheck {
    private final Drain drain;

    DrainingUpgradeCheck(Drain drain) {
        this.drain = drain;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        return drain.isDraining() ? CheckResult.rejectUpgrade(503) : CheckResult.permitUpgrade();
    }
}
