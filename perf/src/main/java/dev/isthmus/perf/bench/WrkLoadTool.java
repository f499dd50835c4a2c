package dev.isthmus.perf.bench;

import dev.isthmus.perf.load.LoadResult;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * wrk (closed loop, one request at a time per connection: Debian's wrk has no fixed-rate mode, and pipelines only
 * through a script of its own), with a Lua hook that prints a result line.
 */
public final class WrkLoadTool implements LoadTool {

    private static final String SCRIPT_RESOURCE = "wrk-report.lua";
    private static final Duration DEADLINE_SLACK = Duration.ofSeconds(30);
    private static final String REQUEST_TIMEOUT = "10s";
    private static final long MILLIS_PER_SECOND = 1_000;

    private final String executable;
    private final Path script;
    private final CpuLayout cpus;

    private WrkLoadTool(String executable, Path script, CpuLayout cpus) {
        this.executable = executable;
        this.script = script;
        this.cpus = cpus;
    }

    /** Copies the Lua hook into {@code dir} and uses {@code executable} on the load generators' CPUs. */
    public static WrkLoadTool create(String executable, Path dir, CpuLayout cpus) throws IOException {
        Path script = dir.resolve(SCRIPT_RESOURCE);
        try (InputStream in = WrkLoadTool.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in == null) {
                throw new IOException(SCRIPT_RESOURCE + " is missing from the perf jar");
            }
            Files.createDirectories(dir);
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        return new WrkLoadTool(executable, script, cpus);
    }

    @Override
    public String name() {
        return "wrk";
    }

    @Override
    public LoadResult run(LoadSpec spec, Runnable onMeasureStart) throws IOException {
        if (spec.isOpenLoop()) {
            throw new IOException("wrk has no fixed-rate mode; open loop needs isthmus-load (LOADGEN=isthmus)");
        }
        if (!spec.warmup().isZero()) {
            runOnce(spec, spec.warmup(), () -> { });
        }
        return runOnce(spec, spec.duration(), onMeasureStart);
    }

    private LoadResult runOnce(LoadSpec spec, Duration duration, Runnable onStart) throws IOException {
        if (spec.pipeline() > 1) {
            throw new IllegalArgumentException("wrk keeps one request in flight per connection; pipelining needs"
                    + " isthmus-load");
        }
        // wrk needs at least one connection per thread, and takes whole seconds.
        int threads = Math.min(spec.threads(), spec.connections());
        List<String> command = new ArrayList<>(List.of(executable, "-t" + threads, "-c" + spec.connections(),
                "-d" + Math.max(1, duration.toMillis() / MILLIS_PER_SECOND) + "s", "--timeout", REQUEST_TIMEOUT,
                "-s", script.toString()));
        if (spec.closeEach()) {
            // wrk opens a new connection when the server closes one.
            command.addAll(List.of("-H", "Connection: close"));
        }
        command.add(spec.url());
        onStart.run();
        // wrk measures from its start: the measurement begins as it is launched.
        return ChildRun.run(cpus.load(command), duration.plus(DEADLINE_SLACK));
    }
}
