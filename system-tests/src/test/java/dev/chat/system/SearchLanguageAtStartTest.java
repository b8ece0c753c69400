package dev.chat.system;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A chat node given a search language it cannot use refuses to start, naming {@code chat.search.language}, rather
 * than start and fail every search (or migration V40) later: the packaged node is started as scripts/up starts it
 * (the shared stack's PostgreSQL, whose database is migrated already, its Redis and keys) with
 * {@code CHAT_SEARCH_LANGUAGE} set to a name PostgreSQL has no text-search configuration of, then to one that is no
 * configuration's name at all, and must exit non-zero with a message naming the setting and the value.
 */
@ResourceLock(Lanes.SHARED_STACK)
class SearchLanguageAtStartTest {
    private static Map<String, String> node(String language) {
        Map<String, String> env = new HashMap<>(KeysRequiredTest.database());
        env.putAll(KeysRequiredTest.redis());
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", KeysRequiredTest.publicKey());
        env.put("CHAT_NODE_ID", "node-language");
        env.put("CHAT_SEARCH_LANGUAGE", language);
        return env;
    }

    @Test
    void aLanguagePostgresDoesNotKnowStopsTheNode() throws Exception {
        KeysRequiredTest.refusesToStart("chat-node", node("klingon"),
                "chat.search.language is 'klingon', which is no text-search configuration of this database");
    }

    @Test
    void aNameThatIsNoConfigurationsStopsTheNode() throws Exception {
        KeysRequiredTest.refusesToStart("chat-node", node("German"),
                "chat.search.language must be a text-search configuration's name");
    }
}
