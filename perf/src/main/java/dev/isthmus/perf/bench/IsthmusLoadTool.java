package dev.isthmus.perf.bench;

import dev.isthmus.perf.load.LoadMain;
import dev.isthmus.perf.load.LoadResult;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** isthmus-load ({@code dev.isthmus.perf.load.LoadMain}) run as a child JVM so its GC never touches the bench's. */
public final class IsthmusLoadTool implements LoadTool {

    private static final Duration DEADLINE_SLACK = Duration.ofSeconds(30);
    /**
     * The load generator is syscall-bound, so C2's faster code buys it little, while C2 compiling during a measured
     * run takes CPU from the load and, sharing one CPU with the origin, stalls it for up to 300 ms: open-loop p99
     * straight at the origin went from 276-306 ms to 0.20 ms with C1 only (2026-12-02 session-5 report).
     */
    private static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

    private final String java;
    private final Path perfJar;
    private final CpuLayout cpus;

    public IsthmusLoadTool(String java, Path perfJar, CpuLayout cpus) {
        this.java = java;
        this.perfJar = perfJar;
        this.cpus = cpus;
    }

    @Override
    public String name() {
        return "isthmus-load";
    }

    @Override
    public LoadResult run(LoadSpec spec, Runnable onMeasureStart) throws IOException {
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseParallelGC", C1_ONLY, "-cp", perfJar.toString(), "dev.isthmus.perf.load.LoadMain",
                "--connections", Integer.toString(spec.connections()), "--threads", Integer.toString(spec.threads()),
                "--duration", spec.duration().toMillis() + "ms", "--warmup", spec.warmup().toMillis() + "ms",
                "--quiet"));
        if (spec.isOpenLoop()) {
            command.addAll(List.of("--rate", Long.toString(spec.rate())));
        }
        if (spec.closeEach()) {
            command.add("--close");
        }
        if (spec.pipeline() > 1) {
            command.addAll(List.of("--pipeline", Integer.toString(spec.pipeline())));
        }
        command.add(spec.url());
        return ChildRun.run(cpus.load(command), spec.warmup().plus(spec.duration()).plus(DEADLINE_SLACK),
                LoadMain.MEASURING_LINE, onMeasureStart);
    }
}
