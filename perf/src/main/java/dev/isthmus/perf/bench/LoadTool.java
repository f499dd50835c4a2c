package dev.isthmus.perf.bench;

import dev.isthmus.perf.load.LoadResult;

import java.io.IOException;

/** A load generator the bench can drive: isthmus-load or wrk, each run as a child process. */
public interface LoadTool {

    /** A short name for reports. */
    String name();

    /** Runs {@code spec} to completion; IOException with the tool's own words when it fails or cannot do the spec. */
    LoadResult run(LoadSpec spec) throws IOException;
}
