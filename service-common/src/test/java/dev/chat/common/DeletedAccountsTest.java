package dev.chat.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A deleted account's key is '~' and its id, and no username can be one (nor one a key). */
class DeletedAccountsTest {
    @Test
    void aKeyIsTildeAndTheAccountIdAndNeverAUsername() {
        assertEquals("~42", DeletedAccounts.key(42));
        assertTrue(DeletedAccounts.isKey("~42"));
        assertTrue(DeletedAccounts.isKey(DeletedAccounts.key(Long.MAX_VALUE)));
        for (String notAKey : new String[] {null, "", "~", "~0", "~042", "~4x", "42", "~-1", "~~1", "alice",
                "~12345678901234567890"}) {
            assertFalse(DeletedAccounts.isKey(notAKey), String.valueOf(notAKey));
        }
        assertFalse(Usernames.isValid(DeletedAccounts.key(42)), "no username can take a key");
        assertFalse(Usernames.isValid("~deleted~42"), "nor the name user-service gives a deleted account's row");
    }
}
