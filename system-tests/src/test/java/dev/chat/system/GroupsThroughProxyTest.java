package dev.chat.system;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

import dev.chat.system.Accounts.Account;
import io.restassured.http.ContentType;

/**
 * A group of 50 members spread over the three nodes, one node killed and restarted mid-stream: every member
 * shows every message exactly once, and every send is acked in the end.
 */
@ResourceLock(Lanes.SHARED_STACK)
class GroupsThroughProxyTest {
    private static final int MEMBERS = 50;
    private static final int SENDERS = 5;
    private static final int PER_SENDER = 20;

    @Test
    void fiftyMembersOnThreeNodesGetEveryMessageOnceThroughANodeCrash() {
        LocalStack stack = ChatThroughProxyTest.stack();
        URI ws = URI.create(stack.wsUrl());
        List<Account> accounts = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            accounts.add(Accounts.create(stack, "grp"));
        }
        Account owner = accounts.get(0);
        // The owner puts in 19 (a group of more than 20 takes only people who wrote to the adder: the consent rule,
        // docs/protocol.md); the others join by the invite code of their own accord.
        String group = given().baseUri(stack.baseUrl()).auth().oauth2(owner.token()).contentType(ContentType.JSON)
                .body(Map.of("name", "Fifty", "members", accounts.subList(1, 20).stream().map(Account::name).toList()))
                .post("/api/groups").then().statusCode(201).extract().path("id");
        String code = given().baseUri(stack.baseUrl()).auth().oauth2(owner.token()).post("/api/groups/" + group + "/invite")
                .then().statusCode(200).extract().path("code");
        for (Account a : accounts.subList(20, MEMBERS)) {
            given().baseUri(stack.baseUrl()).auth().oauth2(a.token()).contentType(ContentType.JSON)
                    .body(Map.of("code", code)).post("/api/groups/join").then().statusCode(200);
        }

        List<ReconnectingClient> clients = new ArrayList<>();
        String killed = null;
        try {
            for (Account a : accounts) {
                clients.add(new ReconnectingClient(ws, a.token()));
            }
            Set<String> nodes = new HashSet<>();
            for (Account a : accounts) {
                nodes.addAll(ChatThroughProxyTest.nodesOf(owner, a.name(), 1));
            }
            assertEquals(3, nodes.size(), "members spread over all three nodes: " + nodes);

            // SENDERS members send PER_SENDER messages each, 100 ms apart; node-2 dies halfway through.
            Map<String, Integer> senderOf = new java.util.HashMap<>();
            for (int round = 0; round < PER_SENDER; round++) {
                if (round == PER_SENDER / 2) {
                    killed = "chat-node-2";
                    stack.kill9(killed);
                }
                if (round == PER_SENDER / 2 + 3) {
                    stack.start(killed);
                    killed = null;
                }
                for (int s = 0; s < SENDERS; s++) {
                    String id = UUID.randomUUID().toString();
                    senderOf.put(id, s);
                    clients.get(s).send(id, "{\"type\":\"send\",\"id\":\"" + id + "\",\"group\":\"" + group
                            + "\",\"body\":\"round " + round + "\"}");
                }
                clients.forEach(ReconnectingClient::poll);
                ChatThroughProxyTest.pause(100);
            }

            Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
            while (true) {
                clients.forEach(ReconnectingClient::poll);
                boolean done = true;
                for (int i = 0; i < MEMBERS; i++) {
                    ReconnectingClient c = clients.get(i);
                    if (c.unackedCount() > 0 || c.shown().size() < expectedFor(i, senderOf)) {
                        done = false;
                        break;
                    }
                }
                if (done) {
                    break;
                }
                if (Instant.now().isAfter(deadline)) {
                    StringBuilder why = new StringBuilder();
                    for (int i = 0; i < MEMBERS; i++) {
                        why.append(accounts.get(i).name()).append(": shown ").append(clients.get(i).shown().size())
                                .append("/").append(expectedFor(i, senderOf)).append(", unacked sends ")
                                .append(clients.get(i).unackedCount()).append('\n');
                    }
                    throw new AssertionError("not everything arrived:\n" + why);
                }
                ChatThroughProxyTest.pause(100);
            }
            int redeliveriesDropped = 0;
            int reconnects = 0;
            for (int i = 0; i < MEMBERS; i++) {
                Set<String> expected = new HashSet<>();
                for (Map.Entry<String, Integer> e : senderOf.entrySet()) {
                    if (e.getValue() != i) {
                        expected.add(e.getKey());
                    }
                }
                assertEquals(expected, clients.get(i).shown(), accounts.get(i).name() + " shows every message once");
                redeliveriesDropped += clients.get(i).dropped();
                reconnects += clients.get(i).reconnects();
            }
            assertTrue(reconnects > 0, "the crash made some members reconnect");
            System.out.printf("GROUP 50 members, %d messages, node-2 killed mid-stream: %d reconnects, "
                    + "%d redelivered frames dropped by the clients' dedup, 0 lost%n", senderOf.size(), reconnects,
                    redeliveriesDropped);
        } finally {
            clients.forEach(ReconnectingClient::close);
            if (killed != null) {
                stack.start(killed);
            }
        }
    }

    /** Every message except a member's own. */
    private static int expectedFor(int member, Map<String, Integer> senderOf) {
        return (int) senderOf.values().stream().filter(s -> s != member).count();
    }
}
