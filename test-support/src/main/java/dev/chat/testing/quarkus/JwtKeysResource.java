package dev.chat.testing.quarkus;

import java.util.Map;

import dev.chat.testing.TestKeys;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Gives a service a throwaway key pair: the private key signs (user-service), the public one verifies. */
public class JwtKeysResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        TestKeys keys = TestKeys.shared();
        return Map.of(
                "smallrye.jwt.sign.key.location", keys.privateKey().toString(),
                "mp.jwt.verify.publickey.location", keys.publicKey().toString());
    }

    @Override
    public void stop() {
    }
}
