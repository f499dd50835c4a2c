package dev.isthmus.perf.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** The static files the origin serves, generated once into the bench directory's {@code www/}. */
public final class BenchFiles {

    public static final String SMALL_PATH = "/";
    public static final String MEDIUM_PATH = "/16k.bin";
    public static final String MIB_PATH = "/1m.bin";
    public static final String BIG_PATH = "/64m.bin";

    private static final int MIB = 1 << 20;
    private static final int MEDIUM_FILE_SIZE = 16 * 1024;
    private static final int MIB_FILE_SIZE = MIB;
    private static final int BIG_FILE_SIZE = 64 * MIB;
    private static final long SEED = 0x1574_B005L;

    private BenchFiles() {
    }

    /** Writes the files of {@code www/} under {@code benchDir}, except those that already have the right size. */
    public static Path create(Path benchDir) throws IOException {
        Path www = Files.createDirectories(benchDir.resolve("www"));
        write(www.resolve(MEDIUM_PATH.substring(1)), MEDIUM_FILE_SIZE);
        write(www.resolve(MIB_PATH.substring(1)), MIB_FILE_SIZE);
        write(www.resolve(BIG_PATH.substring(1)), BIG_FILE_SIZE);
        return www;
    }

    // Random bytes rather than zeros, so nothing on the path (page cache dedup, compression) gets an easy ride.
    private static void write(Path file, int size) throws IOException {
        if (Files.isRegularFile(file) && Files.size(file) == size) {
            return;
        }
        SplittableRandom random = new SplittableRandom(SEED);
        byte[] block = new byte[MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int written = 0; written < size; written += block.length) {
                for (int i = 0; i < block.length; i += Long.BYTES) {
                    long value = random.nextLong();
                    for (int b = 0; b < Long.BYTES; b++) {
                        block[i + b] = (byte) (value >>> (b * Byte.SIZE));
                    }
                }
                out.write(block, 0, Math.min(block.length, size - written));
            }
        }
    }
}
