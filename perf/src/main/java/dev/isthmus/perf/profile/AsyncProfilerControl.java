package dev.isthmus.perf.profile;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Drives async-profiler inside another JVM the way its own {@code asprof} does: each command is the agent's option
 * string, delivered by loading the agent library through the attach API (the library stays loaded; later loads only
 * pass new commands). Used from one thread.
 */
final class AsyncProfilerControl {

    private static final Path PARANOID = Path.of("/proc/sys/kernel/perf_event_paranoid");
    private static final long NANOS_PER_MICRO = 1_000;

    private final long pid;
    private final Path library;

    AsyncProfilerControl(long pid, Path library) {
        this.pid = pid;
        this.library = library;
    }

    /**
     * Starts CPU profiling with perf events ({@code event=cpu}); where the kernel does not permit them (a VM without
     * a PMU, a high {@code perf_event_paranoid}, a seccomp filter) falls back to {@code itimer} and says so.
     * Returns the event in use.
     */
    String startCpu(int intervalMicros, PrintStream log) throws IOException {
        long interval = intervalMicros * NANOS_PER_MICRO;
        try {
            execute("start,event=cpu,interval=" + interval);
            log.println("profile: CPU samples from perf events (event=cpu), every " + intervalMicros + " µs");
            return "cpu";
        } catch (IOException refused) {
            log.println("profile: perf events are not permitted here (" + refused.getMessage()
                    + "; kernel.perf_event_paranoid=" + paranoid() + "); falling back to event=itimer");
            execute("start,event=itimer,interval=" + interval);
            return "itimer";
        }
    }

    /** Starts sampling heap allocations (TLAB refills and outside-TLAB allocations) at the agent's default rate. */
    void startAlloc() throws IOException {
        execute("start,event=alloc");
    }

    /** Writes what has been collected so far as collapsed stacks ({@code frame;frame;frame count} per line). */
    void dump(Path file) throws IOException {
        execute("dump,collapsed,file=" + file.toAbsolutePath());
    }

    /** Stops the profiler and writes an HTML flame graph. */
    Path stop(Path file) throws IOException {
        execute("stop,file=" + file.toAbsolutePath());
        if (!Files.isRegularFile(file)) {
            throw new IOException("async-profiler did not write " + file);
        }
        return file;
    }

    private void execute(String command) throws IOException {
        VirtualMachine vm = attach();
        try {
            vm.loadAgentPath(library.toString(), command);
        } catch (AgentInitializationException e) {
            throw new IOException("async-profiler refused '" + command + "' (status " + e.returnValue()
                    + "; its message is in the proxy's log)", e);
        } catch (AgentLoadException e) {
            throw new IOException("loading async-profiler failed: " + e.getMessage(), e);
        } finally {
            vm.detach();
        }
    }

    // One retry: under full load the target can miss the attach handshake's deadline once.
    private VirtualMachine attach() throws IOException {
        try {
            return VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException | IOException first) {
            try {
                return VirtualMachine.attach(Long.toString(pid));
            } catch (AttachNotSupportedException e) {
                throw new IOException("cannot attach to the proxy's JVM " + pid + ": " + e.getMessage(), e);
            }
        }
    }

    private static String paranoid() {
        try {
            return Files.readString(PARANOID).trim();
        } catch (IOException e) {
            return "unreadable";
        }
    }
}
