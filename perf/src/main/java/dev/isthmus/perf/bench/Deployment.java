package dev.isthmus.perf.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The origin and every target server of a bench run, each a child process on its own loopback port. Targets that
 * cannot run here are remembered with the reason (missing program: skipped; failed start: error).
 * Used from the bench's main thread; {@link #close} may also run from the shutdown hook.
 */
public final class Deployment implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final BenchSettings settings;
    private final Map<String, String> isthmusEnvironment;
    private final Path dir;
    private final PrintStream log;
    private final Map<Target, ServerProcess> servers = new EnumMap<>(Target.class);
    private final Map<Target, String> skipped = new EnumMap<>(Target.class);
    private final Map<Target, String> failed = new EnumMap<>(Target.class);
    private final List<ServerProcess> started = new ArrayList<>();
    private ServerProcess origin;

    private Deployment(BenchSettings settings, Map<String, String> isthmusEnvironment, PrintStream log) {
        this.settings = settings;
        this.isthmusEnvironment = Map.copyOf(isthmusEnvironment);
        this.dir = settings.outDir().toAbsolutePath();
        this.log = log;
    }

    /** Generates files and configs under the output directory, then starts the origin and the targets. */
    public static Deployment start(BenchSettings settings, PrintStream log) throws IOException {
        return start(settings, Map.of(), log);
    }

    /** As {@link #start(BenchSettings, PrintStream)}, with extra environment for bin/isthmus (ISTHMUS_JAVA_OPTS). */
    public static Deployment start(BenchSettings settings, Map<String, String> isthmusEnvironment, PrintStream log)
            throws IOException {
        Deployment deployment = new Deployment(settings, isthmusEnvironment, log);
        boolean success = false;
        try {
            deployment.startAll();
            success = true;
            return deployment;
        } finally {
            if (!success) {
                deployment.close();
            }
        }
    }

    private void startAll() throws IOException {
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("logs"));
        BenchFiles.create(dir);
        Optional<Path> nginx = Executables.find("nginx");
        if (nginx.isPresent()) {
            int port = freePort();
            List<String> command = nginxCommand(nginx.get(), "nginx-origin.conf", port, 0);
            origin = launch("nginx-origin", settings.cpus().load(command), port, Map.of());
        } else {
            log.println("bench: nginx is missing (make bench-deps); the origin is the JDK's HttpServer instead,"
                    + " so every row is limited by a slow origin");
            origin = launchFallbackOrigin();
        }
        servers.put(Target.DIRECT, origin);
        for (Target target : settings.targets()) {
            if (target.isProxy()) {
                startProxy(target, nginx);
            }
        }
    }

    private void startProxy(Target target, Optional<Path> nginx) throws IOException {
        int port = freePort();
        List<String> command;
        switch (target) {
            case ISTHMUS -> {
                if (!Files.isExecutable(settings.isthmusLauncher())) {
                    skipped.put(target, settings.isthmusLauncher() + " not found");
                    return;
                }
                command = List.of(settings.isthmusLauncher().toString(), "--listen", "127.0.0.1:" + port,
                        "--upstream", "127.0.0.1:" + origin.port(), "--mode", settings.isthmusMode(),
                        "--workers", Integer.toString(settings.workers()));
            }
            case NGINX -> {
                if (nginx.isEmpty()) {
                    skipped.put(target, "nginx not installed (make bench-deps)");
                    return;
                }
                if (tcpMode()) {
                    skipped.put(target, "tcp mode: nginx-light has no stream module");
                    return;
                }
                command = nginxCommand(nginx.get(), "nginx-proxy.conf", port, origin.port());
            }
            case HAPROXY -> {
                Optional<Path> haproxy = Executables.find("haproxy");
                if (haproxy.isEmpty()) {
                    skipped.put(target, "haproxy not installed (make bench-deps)");
                    return;
                }
                // In tcp mode HAProxy proxies TCP too (splicing both ways), so the rows compare like with like.
                String template = tcpMode() ? "haproxy-tcp.cfg" : "haproxy.cfg";
                Path config = ConfigTemplate.load(template)
                        .renderTo(dir.resolve(template), values(port, origin.port()));
                // -db: stay in the foreground as one process, so its pid is the one measured and killed.
                command = List.of(haproxy.get().toString(), "-db", "-f", config.toString());
            }
            default -> throw new IllegalArgumentException(target + " is not a proxy");
        }
        try {
            servers.put(target, launch(target.key(), settings.cpus().proxy(command), port,
                    target == Target.ISTHMUS ? isthmusEnvironment : Map.of()));
        } catch (IOException e) {
            failed.put(target, e.getMessage());
            log.println("bench: " + target.label() + " failed to start: " + e.getMessage());
        }
    }

    private boolean tcpMode() {
        return settings.isthmusMode().equals("tcp");
    }

    private List<String> nginxCommand(Path nginx, String template, int port, int originPort) throws IOException {
        Path config = ConfigTemplate.load(template).renderTo(dir.resolve(template), values(port, originPort));
        // -e stderr: nginx opens its compiled-in error log before reading the config; that file may not be writable.
        return List.of(nginx.toString(), "-p", dir.toString(), "-c", config.toString(), "-e", "stderr");
    }

    private ServerProcess launchFallbackOrigin() throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        int port = freePort();
        List<String> command = List.of(java, "-cp", System.getProperty("java.class.path"),
                FallbackOrigin.class.getName(), Integer.toString(port), dir.resolve("www").toString());
        return launch("fallback-origin", settings.cpus().load(command), port, Map.of());
    }

    private Map<String, String> values(int port, int originPort) {
        return Map.of("workers", Integer.toString(settings.workers()), "dir", dir.toString(),
                "port", Integer.toString(port), "origin_port", Integer.toString(originPort));
    }

    private ServerProcess launch(String name, List<String> command, int port, Map<String, String> environment)
            throws IOException {
        ServerProcess server = ServerProcess.start(name, command, environment,
                dir.resolve("logs").resolve(name + ".log"), port, READY_TIMEOUT);
        started.add(server);
        log.println("bench: " + name + " listening on 127.0.0.1:" + port + " (pid " + server.pid() + ")");
        return server;
    }

    // A port the kernel just handed out and released; another process could take it in between, which would show
    // up as a clear start failure of that server rather than a wrong measurement.
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Why {@code target} has no server: skipped (program missing) or failed to start; empty when it runs. */
    public Optional<RunRecord.Outcome> unavailable(Target target) {
        if (skipped.containsKey(target)) {
            return Optional.of(RunRecord.Outcome.SKIPPED);
        }
        return failed.containsKey(target) ? Optional.of(RunRecord.Outcome.ERROR) : Optional.empty();
    }

    public String unavailableReason(Target target) {
        return skipped.getOrDefault(target, failed.getOrDefault(target, ""));
    }

    public ServerProcess server(Target target) {
        ServerProcess server = servers.get(target);
        if (server == null) {
            throw new IllegalStateException(target + " is not running: " + unavailableReason(target));
        }
        return server;
    }

    /**
     * Empty when {@code target} is up; otherwise why it is down, after trying to start it again so that a proxy
     * crashing in one run does not empty the rest of its row.
     */
    public Optional<String> checkAlive(Target target) {
        ServerProcess server = server(target);
        if (server.isAlive()) {
            return Optional.empty();
        }
        String notice = server.deathNotice();
        log.println("bench: " + notice + "; restarting it");
        try {
            server.restart(READY_TIMEOUT);
        } catch (IOException e) {
            log.println("bench: restart failed: " + e.getMessage());
        }
        return Optional.of(notice);
    }

    /** Stops {@code target}'s server and starts it again, so that a measurement starts from a fresh process. */
    public void restart(Target target) throws IOException {
        server(target).restart(READY_TIMEOUT);
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        for (ServerProcess server : started.reversed()) {
            server.close();
        }
        started.clear();
    }
}
