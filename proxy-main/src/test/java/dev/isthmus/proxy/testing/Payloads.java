package dev.isthmus.proxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Deterministic pseudo-random payloads and their SHA-256, streamed so that 256 MiB never sits on the heap. */
public final class Payloads {
    private static final int BLOCK = 64 * 1024;

    private Payloads() {
    }

    /** Writes {@code length} bytes from {@code seed}; returns their SHA-256 in hex. */
    public static String write(OutputStream out, long seed, long length) throws IOException {
        MessageDigest sha = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] block = new byte[BLOCK];
        long remaining = length;
        while (remaining > 0) {
            int n = (int) Math.min(block.length, remaining);
            random.nextBytes(block);
            sha.update(block, 0, n);
            out.write(block, 0, n);
            remaining -= n;
        }
        out.flush();
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The SHA-256 that {@link #write} produces for the same seed and length, without writing anywhere. */
    public static String expected(long seed, long length) throws IOException {
        return write(OutputStream.nullOutputStream(), seed, length);
    }

    /** Reads to EOF; returns the SHA-256 in hex and the byte count as {@code hex:count}. */
    public static String readToEof(InputStream in) throws IOException {
        MessageDigest sha = sha256();
        byte[] block = new byte[BLOCK];
        long total = 0;
        for (int n; (n = in.read(block)) != -1; ) {
            sha.update(block, 0, n);
            total += n;
        }
        return HexFormat.of().formatHex(sha.digest()) + ":" + total;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
