package dev.isthmus.perf.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Sample counts from async-profiler's collapsed output, summarised by the frame on top of each stack (self time). */
final class CollapsedStacks {

    private static final double PERCENT = 100.0;
    private static final String KERNEL_SUFFIX = "_[k]";

    private final Map<String, Long> selfCounts;
    private final long total;

    private CollapsedStacks(Map<String, Long> selfCounts, long total) {
        this.selfCounts = selfCounts;
        this.total = total;
    }

    /** Parses lines of {@code frame;frame;...;frame count}; lines that do not end in a count are an error. */
    static CollapsedStacks parse(List<String> lines) {
        Map<String, Long> counts = new HashMap<>();
        long total = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                throw new IllegalArgumentException("not a collapsed stack line: " + line);
            }
            long count = Long.parseLong(line.substring(space + 1).trim());
            String stack = line.substring(0, space);
            String top = stack.substring(stack.lastIndexOf(';') + 1);
            counts.merge(top, count, Long::sum);
            total += count;
        }
        return new CollapsedStacks(counts, total);
    }

    static CollapsedStacks read(Path file) throws IOException {
        return parse(Files.readAllLines(file));
    }

    long total() {
        return total;
    }

    /**
     * Where the samples landed, coarsely: the kernel ({@code _[k]} frames), Java code (frames with a package path),
     * and the rest (the JVM's own C++: JIT compilers, GC, runtime; and libc).
     */
    String layers() {
        long kernel = 0;
        long java = 0;
        for (Map.Entry<String, Long> entry : selfCounts.entrySet()) {
            if (entry.getKey().endsWith(KERNEL_SUFFIX)) {
                kernel += entry.getValue();
            } else if (entry.getKey().contains("/")) {
                java += entry.getValue();
            }
        }
        return String.format(Locale.ROOT, "  kernel %.1f%%, Java %.1f%%, JVM runtime and native libraries %.1f%% of %d samples%n",
                share(kernel), share(java), share(total - kernel - java), total);
    }

    /** The {@code limit} frames with the most self samples, one per line with its share of all samples. */
    String topSelf(int limit) {
        if (total == 0) {
            return "  (no samples)\n";
        }
        StringBuilder out = new StringBuilder();
        selfCounts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit)
                .forEach(entry -> out.append(String.format(Locale.ROOT, "  %5.1f%%  %s%n",
                        share(entry.getValue()), entry.getKey())));
        return out.toString();
    }

    private double share(long count) {
        return count * PERCENT / Math.max(1, total);
    }
}
