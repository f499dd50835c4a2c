package dev.isthmus.perf.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time and resident memory of a process and all its descendants, read from {@code /proc}: nginx runs a master
 * and workers, so a row's cost is the whole tree's.
 */
public final class ProcessStats {

    // proc(5): utime and stime are fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the comm field
    // (comm may itself contain spaces); field 3 (state) is the first one after it.
    private static final int UTIME_AFTER_COMM = 14 - 3;
    private static final int STIME_AFTER_COMM = 15 - 3;
    private static final long DEFAULT_CLOCK_TICKS = 100;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long BYTES_PER_KIB = 1024;
    private static final Path CPU_PRESSURE = Path.of("/proc/pressure/cpu");

    private final long nanosPerTick;

    private ProcessStats(long ticksPerSecond) {
        this.nanosPerTick = NANOS_PER_SECOND / ticksPerSecond;
    }

    /** Asks {@code getconf CLK_TCK} for the tick rate once; USER_HZ is 100 on every mainstream Linux if that fails. */
    public static ProcessStats create() {
        long ticks = DEFAULT_CLOCK_TICKS;
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).trim();
            if (getconf.waitFor() == 0 && out.matches("\\d+")) {
                ticks = Long.parseLong(out);
            }
        } catch (IOException e) {
            // getconf missing: keep the Linux default.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new ProcessStats(ticks);
    }

    /** User plus system CPU time of {@code pid} and its descendants, in nanoseconds (tick resolution). */
    public long cpuNanos(long pid) {
        long ticks = 0;
        for (long each : tree(pid)) {
            ticks += cpuTicks(each);
        }
        return ticks * nanosPerTick;
    }

    /** Resident set size of {@code pid} and its descendants, in bytes. */
    public long residentBytes(long pid) {
        long kib = 0;
        for (long each : tree(pid)) {
            kib += residentKib(each);
        }
        return kib * BYTES_PER_KIB;
    }

    /**
     * Cumulative microseconds during which some task waited for a CPU ({@code /proc/pressure/cpu}, "some total"),
     * or -1 where the kernel has no PSI.
     */
    public long cpuPressureMicros() {
        for (String line : read(CPU_PRESSURE).split("\n")) {
            if (line.startsWith("some ")) {
                int total = line.indexOf("total=");
                return total < 0 ? -1 : Long.parseLong(line.substring(total + "total=".length()).trim());
            }
        }
        return -1;
    }

    private static List<Long> tree(long pid) {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(handle -> handle.descendants().forEach(child -> pids.add(child.pid())));
        return pids;
    }

    // A process that exits between listing and reading simply contributes nothing.
    private static long cpuTicks(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        int endOfComm = stat.lastIndexOf(')');
        if (endOfComm < 0) {
            return 0;
        }
        String[] fields = stat.substring(endOfComm + 2).trim().split(" ");
        if (fields.length <= STIME_AFTER_COMM) {
            return 0;
        }
        return Long.parseLong(fields[UTIME_AFTER_COMM]) + Long.parseLong(fields[STIME_AFTER_COMM]);
    }

    private static long residentKib(long pid) {
        for (String line : read(Path.of("/proc", Long.toString(pid), "status")).split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
            }
        }
        return 0;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
