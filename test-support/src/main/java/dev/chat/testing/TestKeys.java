package dev.chat.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** A throwaway RSA key pair in PEM files, as local setup makes with openssl; never committed. */
public final class TestKeys {
    private static TestKeys shared;

    private final Path privateKey;
    private final Path publicKey;
    private final KeyPair pair;

    private TestKeys(Path privateKey, Path publicKey, KeyPair pair) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.pair = pair;
    }

    public static synchronized TestKeys shared() {
        if (shared == null) {
            shared = generate();
        }
        return shared;
    }

    public static TestKeys generate() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            KeyPair pair = gen.generateKeyPair();
            Path dir = Files.createTempDirectory("jwt-keys");
            // deleteOnExit runs in reverse order of registration: the folder first, so it goes last.
            dir.toFile().deleteOnExit();
            Path priv = dir.resolve("private.pem");
            Path pub = dir.resolve("public.pem");
            Files.writeString(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            priv.toFile().deleteOnExit();
            pub.toFile().deleteOnExit();
            return new TestKeys(priv, pub, pair);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("could not generate a key pair", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    public Path privateKey() {
        return privateKey;
    }

    public Path publicKey() {
        return publicKey;
    }

    public KeyPair pair() {
        return pair;
    }
}
