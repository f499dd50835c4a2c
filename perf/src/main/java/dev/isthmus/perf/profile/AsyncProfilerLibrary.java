package dev.isthmus.perf.profile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The native async-profiler agent, taken from the {@code tools.profiler:async-profiler} jar on the classpath (it
 * carries {@code linux-x64/} and {@code linux-arm64/} builds of {@code libasyncProfiler.so}).
 */
final class AsyncProfilerLibrary {

    private static final String LIBRARY = "libasyncProfiler.so";

    private AsyncProfilerLibrary() {
    }

    /** Copies the agent for this machine into {@code dir} and returns its absolute path. */
    static Path extract(Path dir) throws IOException {
        String resource = "/" + platform() + "/" + LIBRARY;
        try (InputStream in = AsyncProfilerLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("async-profiler has no " + resource + " in its jar for this machine");
            }
            Path library = dir.resolve(LIBRARY).toAbsolutePath();
            Files.copy(in, library, StandardCopyOption.REPLACE_EXISTING);
            return library;
        }
    }

    private static String platform() throws IOException {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (!os.contains("linux")) {
            throw new IOException("make profile runs on Linux only, not " + os);
        }
        return switch (arch) {
            case "amd64", "x86_64" -> "linux-x64";
            case "aarch64", "arm64" -> "linux-arm64";
            default -> throw new IOException("async-profiler's jar has no agent for " + arch);
        };
    }
}
