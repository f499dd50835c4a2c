package dev.isthmus.perf.bench;

import dev.isthmus.perf.load.LoadResult;

import java.io.IOException;

/** A load generator the bench can drive: isthmus-load or wrk, each run as a child process. */
public interface LoadTool {

    /** A short name for reports. */
    String name();

    /**
     * Runs {@code spec} (warm-up, then the measured part) to completion; {@code onMeasureStart} runs on the calling
     * thread when the warm-up is over. IOException with the tool's own words when it fails or cannot do the spec.
     */
    LoadResult run(LoadSpec spec, Runnable onMeasureStart) throws IOException;
}
