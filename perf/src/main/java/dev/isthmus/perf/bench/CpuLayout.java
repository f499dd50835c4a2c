package dev.isthmus.perf.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Which CPUs the bench's processes may run on. {@code shared} (the default) leaves every process to the scheduler, as
 * a machine that runs all of them would. {@code split} gives the proxies their own CPUs (the last {@code workers}
 * ones) and the origin and load generators the rest, with {@code taskset}: each proxy row then runs on the very same
 * cores, what it costs is never paid by the load generator or the origin, and on a 2-CPU machine its numbers no
 * longer depend on how the scheduler happened to interleave four busy processes on two CPUs.
 *
 * @param name {@code shared} or {@code split}
 * @param loadCpus the CPU list of the origin and the load generators, empty when shared
 * @param proxyCpus the CPU list of every proxy, empty when shared
 */
public record CpuLayout(String name, String loadCpus, String proxyCpus) {
    private static final String TASKSET = "taskset";

    public static final CpuLayout SHARED = new CpuLayout("shared", "", "");

    /** Parses {@code shared} or {@code split} for a machine with {@code cpus} CPUs and proxies of {@code workers}. */
    public static CpuLayout parse(String name, int cpus, int workers) {
        return switch (name) {
            case "shared" -> SHARED;
            case "split" -> split(cpus, workers);
            default -> throw new IllegalArgumentException("cpus must be shared or split, not " + name);
        };
    }

    private static CpuLayout split(int cpus, int workers) {
        if (cpus <= workers) {
            throw new IllegalArgumentException("cpus split needs more CPUs than workers: " + cpus + " CPU(s), "
                    + workers + " worker(s)");
        }
        int firstProxyCpu = cpus - workers;
        return new CpuLayout("split", range(0, firstProxyCpu - 1), range(firstProxyCpu, cpus - 1));
    }

    private static String range(int first, int last) {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }

    public boolean isSplit() {
        return !proxyCpus.isEmpty();
    }

    /** {@code command} confined to the origin's and load generators' CPUs. */
    public List<String> load(List<String> command) {
        return confine(loadCpus, command);
    }

    /** {@code command} confined to the proxies' CPUs. */
    public List<String> proxy(List<String> command) {
        return confine(proxyCpus, command);
    }

    private static List<String> confine(String cpus, List<String> command) {
        if (cpus.isEmpty()) {
            return command;
        }
        List<String> confined = new ArrayList<>(command.size() + 3);
        confined.addAll(List.of(TASKSET, "-c", cpus));
        confined.addAll(command);
        return confined;
    }

    /** What the report says of the layout. */
    public String describe() {
        return isSplit() ? "split: proxies on CPU " + proxyCpus + ", origin and load generators on CPU " + loadCpus
                : "shared: every process on every CPU, as the scheduler places it";
    }
}
