package dev.isthmus.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.proxy.config.AdminConfig;
import dev.isthmus.proxy.config.ClusterConfig;
import dev.isthmus.proxy.config.ConfigLoader;
import dev.isthmus.proxy.config.ConfigSource;
import dev.isthmus.proxy.config.HostPort;
import dev.isthmus.proxy.config.HostPort.PortRule;
import dev.isthmus.proxy.config.HostResolver;
import dev.isthmus.proxy.config.ProxyConfig;
import dev.isthmus.proxy.config.SplicePipeSize;
import dev.isthmus.proxy.config.Workers;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

    private static final HostResolver NO_DNS = name -> {
        throw new UnknownHostException(name);
    };

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private ProxyConfig ran;
    private Optional<ConfigSource> ranFrom;
    private int runtimeExit;

    private int run(String... args) {
        ProxyRuntime recorder = (config, source) -> {
            ran = config;
            ranFrom = source;
            return runtimeExit;
        };
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        return new Cli(o, e, recorder, NO_DNS).execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private static HostPort hp(String text) {
        return HostPort.parse(text, PortRule.ALLOW_ANY_PORT, NO_DNS);
    }

    @Test
    void httpFlagModeEqualsTheOneRouteConfig(@TempDir Path dir) throws Exception {
        assertEquals(0, run("--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:9000, [::1]:9001"));
        Path yaml = dir.resolve("same.yaml");
        Files.writeString(yaml, """
                listeners:
                  - name: listen
                    address: 127.0.0.1:8080
                    protocol: http
                    routes:
                      - match: { prefix: / }
                        cluster: upstream
                clusters:
                  - name: upstream
                    endpoints: [127.0.0.1:9000, "[::1]:9001"]
                """);
        assertEquals(new ConfigLoader(NO_DNS).load(yaml), ran);
        assertEquals("", err());
    }

    @Test
    void tcpFlagModeWithWorkersAndAdmin(@TempDir Path dir) throws Exception {
        assertEquals(0, run("--listen", "0.0.0.0:5432", "--upstream", "127.0.0.1:6432", "--mode", "tcp",
                "--workers", "3", "--admin", "127.0.0.1:9901"));
        Path yaml = dir.resolve("same.yaml");
        Files.writeString(yaml, """
                admin: { address: 127.0.0.1:9901 }
                workers: 3
                listeners:
                  - name: listen
                    address: 0.0.0.0:5432
                    protocol: tcp
                    cluster: upstream
                clusters:
                  - name: upstream
                    endpoints: [127.0.0.1:6432]
                """);
        assertEquals(new ConfigLoader(NO_DNS).load(yaml), ran);
    }

    @Test
    void runtimeExitCodeIsPassedThrough() {
        runtimeExit = 1;
        assertEquals(1, run("--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9000"));
    }

    @Test
    void runtimeExceptionIsARuntimeFailure() {
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        ProxyRuntime failing = (config, source) -> {
            throw new IllegalStateException("bind: EADDRINUSE (98)");
        };
        int code = new Cli(System.out, e, failing, NO_DNS)
                .execute("--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9000");
        assertEquals(1, code);
        assertEquals("isthmus: runtime failure: java.lang.IllegalStateException: bind: EADDRINUSE (98)\n", err());
    }

    @Test
    void configAndFlagsAreMutuallyExclusive() {
        assertEquals(2, run("--config", "x.yaml", "--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:9000"));
        assertTrue(err().startsWith("isthmus: --config and --listen/--upstream are mutually exclusive\nUsage: isthmus"),
                err());
        assertNull(ran);
    }

    @Test
    void neitherConfigNorFlagsIsAUsageError() {
        assertEquals(2, run());
        assertTrue(err().startsWith("isthmus: give --config FILE, or --listen HOST:PORT with --upstream"), err());
        assertTrue(err().contains("Usage: isthmus"));
    }

    @Test
    void halfOfFlagModeIsAUsageError() {
        assertEquals(2, run("--listen", "127.0.0.1:8080"));
        assertTrue(err().startsWith("isthmus: --listen needs --upstream\n"), err());
    }

    @Test
    void modeWithConfigIsAUsageError() {
        assertEquals(2, run("--config", "x.yaml", "--mode", "tcp"));
        assertTrue(err().startsWith("isthmus: --mode applies only with --listen/--upstream"), err());
    }

    @Test
    void badFlagsAreUsageErrors() {
        assertEquals(2, run("--bogus"));
        assertTrue(err().startsWith("isthmus: Unknown option: '--bogus'\nUsage: isthmus"), err());
        err.reset();
        assertEquals(2, run("--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:9000", "--workers", "0"));
        assertTrue(err().contains("expected auto or a number from 1 to 1024, got '0'"), err());
        assertTrue(err().contains("Usage: isthmus"));
        err.reset();
        assertEquals(2, run("--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:9000", "--mode", "udp"));
        assertTrue(err().contains("expected http or tcp, got 'udp'"), err());
        assertNull(ran);
    }

    @Test
    void badFlagAddressesAreConfigErrorsNamingTheFlag() {
        assertEquals(2, run("--listen", "127.0.0.1", "--upstream", "127.0.0.1:9000,,backend:80",
                "--admin", "127.0.0.1:8080"));
        assertEquals("""
                command line: --listen: bad address '127.0.0.1': expected HOST:PORT
                command line: --upstream: bad address '': expected HOST:PORT
                command line: --upstream: cannot resolve host 'backend'
                """, err());
        assertNull(ran);
    }

    @Test
    void adminMustNotOverlapTheListener() {
        assertEquals(2, run("--listen", "0.0.0.0:8080", "--upstream", "127.0.0.1:9000", "--admin", "127.0.0.1:8080"));
        assertEquals("command line: --admin: address 127.0.0.1:8080 overlaps --listen 0.0.0.0:8080\n", err());
    }

    @Test
    void invalidConfigPrintsEveryErrorAndExits2(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, """
                workers: 0
                listeners:
                  - name: web
                    address: 127.0.0.1:8080
                    routes:
                      - match: { prefix: / }
                        cluster: nowhere
                """);
        assertEquals(2, run("--config", yaml.toString()));
        assertEquals(yaml + ":1: workers: must be from 1 to 1024, got 0\n"
                + yaml + ":7: listeners[0].routes[0].cluster: unknown cluster 'nowhere'\n", err());
        assertNull(ran);
    }

    @Test
    void missingConfigFileExits2() {
        assertEquals(2, run("--config", "/nonexistent/isthmus.yaml"));
        assertEquals("isthmus: cannot read config /nonexistent/isthmus.yaml: no such file\n", err());
    }

    @Test
    void configThatIsNotUtf8Exits2(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("latin1.yaml");
        Files.write(yaml, new byte[] {'w', 'o', 'r', 'k', 'e', 'r', 's', ':', ' ', (byte) 0xe9, '\n'});
        assertEquals(2, run("--config", yaml.toString()));
        assertEquals("isthmus: cannot read config " + yaml + ": not UTF-8 text\n", err());
    }

    @Test
    void validateReportsValidWithoutRunning(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("ok.yaml");
        Files.writeString(yaml, """
                listeners:
                  - name: web
                    address: 127.0.0.1:8080
                    routes: [{ match: { path: / }, direct_response: { body: hi } }]
                """);
        assertEquals(0, run("--config", yaml.toString(), "--validate"));
        assertEquals(yaml + ": valid\n", out());
        assertNull(ran);
    }

    @Test
    void validateOfFlagsNamesTheCommandLine() {
        assertEquals(0, run("--listen", "127.0.0.1:8080", "--upstream", "127.0.0.1:9000", "--validate"));
        assertEquals("command line: valid\n", out());
        assertNull(ran);
    }

    @Test
    void validateReportsErrorsAndExits2(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, "listeners: []\n");
        assertEquals(2, run("--config", yaml.toString(), "--validate"));
        assertEquals("", out());
        assertEquals(yaml + ":1: listeners: needs at least one listener\n", err());
    }

    @Test
    void workersAndAdminFlagsOverrideTheFile(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("ok.yaml");
        Files.writeString(yaml, """
                workers: 2
                pin_workers: true
                splice_pipe_bytes: 128KiB
                admin: { address: 127.0.0.1:9901 }
                listeners:
                  - name: db
                    address: 127.0.0.1:5432
                    protocol: tcp
                    cluster: pg
                clusters: [{ name: pg, endpoints: [127.0.0.1:6432] }]
                """);
        assertEquals(0, run("--config", yaml.toString(), "--workers", "auto", "--admin", "127.0.0.1:9902"));
        assertEquals(Workers.AUTO, ran.workers());
        assertEquals(Optional.of(new AdminConfig(hp("127.0.0.1:9902"))), ran.admin());
        assertEquals(List.of(ClusterConfig.of("pg", List.of(hp("127.0.0.1:6432")))), ran.clusters());
        assertTrue(ran.pinWorkers(), "what no flag overrides stays the file's");
        assertEquals(new SplicePipeSize(128 * 1024), ran.splicePipeSize());
    }

    @Test
    void aConfigFileIsReadAgainWithTheSameOverridesForAReloadAndFlagsHaveNothingToReload(@TempDir Path dir)
            throws Exception {
        Path yaml = dir.resolve("ok.yaml");
        String tcpTo = """
                workers: 2
                listeners:
                  - name: db
                    address: 127.0.0.1:5432
                    protocol: tcp
                    cluster: pg
                clusters: [{ name: pg, endpoints: [%s] }]
                """;
        Files.writeString(yaml, tcpTo.formatted("127.0.0.1:6432"));
        assertEquals(0, run("--config", yaml.toString(), "--workers", "3"));
        ConfigSource source = ranFrom.orElseThrow();
        assertEquals(yaml.toString(), source.name());
        Files.writeString(yaml, tcpTo.formatted("127.0.0.1:7432"));
        ProxyConfig reread = source.load();
        assertEquals(Workers.of(3), reread.workers());
        assertEquals(List.of(ClusterConfig.of("pg", List.of(hp("127.0.0.1:7432")))), reread.clusters());

        assertEquals(0, run("--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9000"));
        assertEquals(Optional.empty(), ranFrom);
    }

    @Test
    void helpAndVersion() {
        assertEquals(0, run("--help"));
        assertTrue(out().startsWith("Usage: isthmus"), out());
        assertTrue(out().contains("--validate"));
        out.reset();
        assertEquals(0, run("--version"));
        assertTrue(out().matches("isthmus \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\n"), out());
        assertEquals("", err());
    }
}
