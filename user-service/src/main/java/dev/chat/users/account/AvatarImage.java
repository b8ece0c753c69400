package dev.chat.users.account;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The check an avatar passes before it is stored, as a value: its type is what its bytes say (PNG or JPEG by their
 * signature, whatever the request's Content-Type claimed), it is at most {@link #MAX_BYTES}, and its image decodes
 * completely with at most {@link #MAX_SIDE} pixels a side (read from the header before decoding, so a small file
 * that claims a huge picture is refused without allocating it).
 */
public record AvatarImage(Outcome outcome, String type) {
    public static final int MAX_BYTES = 64 * 1024;
    public static final int MAX_SIDE = 1024;

    public enum Outcome {
        OK, TOO_LARGE, NOT_AN_IMAGE, TOO_MANY_PIXELS
    }

    private static final byte[] PNG = { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    private static final byte[] JPEG = { (byte) 0xff, (byte) 0xd8, (byte) 0xff };

    /** Checks {@code bytes}; decoding is CPU work of a few milliseconds at this size: call it off the event loop. */
    public static AvatarImage check(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            return new AvatarImage(Outcome.TOO_LARGE, null);
        }
        String type = startsWith(bytes, PNG) ? "image/png" : startsWith(bytes, JPEG) ? "image/jpeg" : null;
        if (type == null) {
            return new AvatarImage(Outcome.NOT_AN_IMAGE, null);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByMIMEType(type);
            if (in == null || !readers.hasNext()) {
                return new AvatarImage(Outcome.NOT_AN_IMAGE, null);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                if (reader.getWidth(0) > MAX_SIDE || reader.getHeight(0) > MAX_SIDE) {
                    return new AvatarImage(Outcome.TOO_MANY_PIXELS, type);
                }
                reader.read(0);
            } finally {
                reader.dispose();
            }
            return new AvatarImage(Outcome.OK, type);
        } catch (IOException | RuntimeException e) {
            // A truncated or corrupt file: ImageIO reports it as IOException or, for some codecs, a runtime one.
            return new AvatarImage(Outcome.NOT_AN_IMAGE, null);
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
