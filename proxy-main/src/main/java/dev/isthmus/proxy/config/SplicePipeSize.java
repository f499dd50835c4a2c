package dev.isthmus.proxy.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The capacity asked of each splice pipe: {@code auto} or an explicit size.
 *
 * <p>No size is best everywhere (perf/reports/2026-12-03-session-10.md). Under BBR without an fq qdisc (loopback
 * always has none) the kernel paces each flow with a timer, and a sink handed bursts bigger than a segment is spaced
 * by it: 64 KiB pipes moved big bodies 10-15% faster than 256 KiB. Under cubic nothing is paced, and 256 KiB moved
 * them as fast or faster for 15-20% less CPU per byte. {@code auto} picks by the kernel's default congestion
 * control, which the proxy's own sockets get.
 *
 * @param requested bytes asked for, or {@link #AUTO_BYTES} for {@code auto}
 */
public record SplicePipeSize(int requested) {

    /** The {@code requested} value that stands for {@code auto}. */
    public static final int AUTO_BYTES = 0;
    /** One page: the least a pipe holds. */
    public static final int MIN_BYTES = 4096;
    /** {@code fs.pipe-max-size}'s default: the most an unprivileged process may ask for. */
    public static final int MAX_BYTES = 1024 * 1024;
    public static final SplicePipeSize AUTO = new SplicePipeSize(AUTO_BYTES);

    /** The kernel's own pipe size (and HAProxy's): what {@code auto} takes under a pacing congestion control. */
    static final int PACED_BYTES = 64 * 1024;
    static final int UNPACED_BYTES = 256 * 1024;
    private static final Path DEFAULT_CONGESTION_CONTROL = Path.of("/proc/sys/net/ipv4/tcp_congestion_control");

    public SplicePipeSize {
        if (requested != AUTO_BYTES && (requested < MIN_BYTES || requested > MAX_BYTES)) {
            throw new IllegalArgumentException("splice pipe size must be auto or " + MIN_BYTES + ".." + MAX_BYTES
                    + " bytes, got " + requested);
        }
    }

    public boolean isAuto() {
        return requested == AUTO_BYTES;
    }

    /** The size to ask for on this machine. */
    public int resolve() {
        return isAuto() ? forCongestionControl(defaultCongestionControl()) : requested;
    }

    /** {@code auto}'s choice for sockets under {@code algorithm} (as the kernel names it; empty when unknown). */
    static int forCongestionControl(String algorithm) {
        return algorithm.isEmpty() || algorithm.startsWith("bbr") ? PACED_BYTES : UNPACED_BYTES;
    }

    private static String defaultCongestionControl() {
        try {
            return Files.readString(DEFAULT_CONGESTION_CONTROL).strip();
        } catch (IOException | SecurityException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return isAuto() ? "auto" : Integer.toString(requested);
    }
}
