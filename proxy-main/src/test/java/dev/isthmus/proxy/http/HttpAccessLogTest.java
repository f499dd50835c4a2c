package dev.isthmus.proxy.http;

import dev.isthmus.proxy.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access log of an http listener: one line per request, whoever answered it, written when the proxy stops at
 * the latest (the lines are buffered), in the format docs/config.md gives.
 */
@Timeout(60)
final class HttpAccessLogTest {
    private static final Pattern TIME = Pattern.compile("\\[\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000]");
    private static final Pattern SECONDS = Pattern.compile("\\d+\\.\\d{3}");
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ProxyFixture fixture = new ProxyFixture();

    @TempDir
    Path dir;

    private Path start(HttpTestOrigin origin) throws Exception {
        return start(origin, "");
    }

    /** {@code listenerKeys}: more keys of the listener, each a line indented by four spaces. */
    private Path start(HttpTestOrigin origin, String listenerKeys) throws Exception {
        Path log = dir.resolve("access.log");
        fixture.start("""
                workers: 1
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    access_log: %s
                %s    routes:
                      - match: { path: /direct }
                        direct_response: { status: 200, body: "direct\\n" }
                      - match: { prefix: /app/ }
                        cluster: o
                clusters:
                  - { name: o, endpoints: [127.0.0.1:%d] }
                """.formatted(log, listenerKeys, origin.port()));
        return log;
    }

    /** The line's fields after the time, which {@link #TIME} checks, and the request time, checked as a number. */
    private static String withoutTimes(String line) {
        String[] parts = line.split(" ");
        assertTrue(TIME.matcher(parts[3] + " " + parts[4]).matches(), line);
        String seconds = parts[parts.length - 2];
        assertTrue(SECONDS.matcher(seconds).matches(), () -> "request time in " + line);
        return line.replace(parts[3] + " " + parts[4] + " ", "").replace(" " + seconds + " ", " T ");
    }

    @Test
    void everyRequestGetsOneLineWhoeverAnsweredIt() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        origin.on("/app/hello", OriginScripts.text(201, "hello"));
        Path log = start(origin);

        RawClient client = fixture.client();
        assertEquals(201, client.get("/app/hello?q=1", "User-Agent: test-agent/1.0", "Referer: http://a.test/").status());
        assertEquals(200, client.get("/direct").status());
        assertEquals(404, client.get("/nowhere").status());
        RawClient bad = fixture.client();
        bad.send("GET /bad\"path HTTP/1.1\r\nHost: test\r\n\r\n");
        assertEquals(400, bad.read("GET").status());
        fixture.drain();

        List<String> lines = Files.readAllLines(log, StandardCharsets.US_ASCII).stream()
                .map(HttpAccessLogTest::withoutTimes).toList();
        String upstream = "127.0.0.1:" + origin.port();
        assertEquals(List.of(
                "127.0.0.1 - - \"GET /app/hello?q=1 HTTP/1.1\" 201 5 \"http://a.test/\" \"test-agent/1.0\" T " + upstream,
                "127.0.0.1 - - \"GET /direct HTTP/1.1\" 200 7 \"-\" \"-\" T -",
                "127.0.0.1 - - \"GET /nowhere HTTP/1.1\" 404 " + lines.get(2).split(" ")[7] + " \"-\" \"-\" T -",
                "127.0.0.1 - - \"GET /bad\\x22path HTTP/1.1\" 400 " + lines.get(3).split(" ")[7] + " \"-\" \"-\" T -"),
                lines);
        assertFalse(lines.get(2).split(" ")[7].equals("0"), "the 404 has a body: " + lines.get(2));
    }

    /** A head that never completes gets its 408 line too, after a request the same connection already had. */
    @Test
    void aRequestHeadTimeoutIsLoggedWithTheLineThatArrived() throws Exception {
        Path log = start(fixture.origin("o"), "    request_head_timeout: 200ms\n");
        RawClient client = fixture.client();
        assertEquals(200, client.get("/direct").status());
        client.send("GET /never-finished HTTP/1.1\r\nHost: test\r\n");
        assertEquals(408, client.read("GET").status());
        fixture.drain();

        List<String> lines = Files.readAllLines(log, StandardCharsets.US_ASCII).stream()
                .map(HttpAccessLogTest::withoutTimes).toList();
        assertEquals(List.of(
                "127.0.0.1 - - \"GET /direct HTTP/1.1\" 200 7 \"-\" \"-\" T -",
                "127.0.0.1 - - \"GET /never-finished HTTP/1.1\" 408 " + lines.get(1).split(" ")[7] + " \"-\" \"-\" T -"),
                lines);
    }

    /** Rotation by renaming, as logrotate does without copytruncate: rename, then SIGUSR1 (reopenAccessLogs). */
    @Test
    void reopeningAfterARenameWritesTheNextLinesToANewFile() throws Exception {
        Path log = start(fixture.origin("o"));
        Path rotated = dir.resolve("access.log.1");
        RawClient client = fixture.client();
        assertEquals(200, client.get("/direct?before").status());
        Eventually.await("the first line written", WAIT, () -> log.toFile().length() > 0);
        Files.move(log, rotated);

        fixture.proxy().reopenAccessLogs();
        assertEquals(200, client.get("/direct?after").status());
        fixture.drain();

        List<String> old = Files.readAllLines(rotated, StandardCharsets.US_ASCII);
        List<String> fresh = Files.readAllLines(log, StandardCharsets.US_ASCII);
        assertEquals(1, old.size(), () -> "renamed file: " + old);
        assertTrue(old.getFirst().contains("GET /direct?before "), old::toString);
        assertEquals(1, fresh.size(), () -> "new file: " + fresh);
        assertTrue(fresh.getFirst().contains("GET /direct?after "), fresh::toString);
    }

    @Test
    void aLogThatCannotBeReopenedKeepsItsOldFileAndLosesNoLine() throws Exception {
        Path log = start(fixture.origin("o"));
        Path rotated = dir.resolve("access.log.1");
        RawClient client = fixture.client();
        assertEquals(200, client.get("/direct?before").status());
        Files.move(log, rotated);
        Files.createDirectory(log);

        fixture.proxy().reopenAccessLogs();
        assertEquals(200, client.get("/direct?after").status());
        fixture.drain();

        List<String> lines = Files.readAllLines(rotated, StandardCharsets.US_ASCII);
        assertEquals(2, lines.size(), () -> "the file still open: " + lines);
        assertTrue(lines.get(1).contains("GET /direct?after "), lines::toString);
    }

    @Test
    void pipelinedRequestsAndAFailedUpstreamEachGetTheirLineInOrder() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        origin.on("/app/a", OriginScripts.text(200, "aa"));
        origin.on("/app/gone", OriginScripts.resetBeforeHead());
        Path log = start(origin);

        RawClient client = fixture.client();
        client.send(RawClient.head("GET", "/app/a") + RawClient.head("HEAD", "/direct")
                + RawClient.head("GET", "/app/gone"));
        assertEquals(200, client.read("GET").status());
        assertEquals(200, client.read("HEAD").status());
        assertEquals(502, client.read("GET").status());
        fixture.drain();

        List<String> lines = Files.readAllLines(log, StandardCharsets.US_ASCII).stream()
                .map(HttpAccessLogTest::withoutTimes).toList();
        String upstream = "127.0.0.1:" + origin.port();
        assertEquals(3, lines.size(), lines::toString);
        assertEquals("127.0.0.1 - - \"GET /app/a HTTP/1.1\" 200 2 \"-\" \"-\" T " + upstream, lines.get(0));
        assertEquals("127.0.0.1 - - \"HEAD /direct HTTP/1.1\" 200 0 \"-\" \"-\" T -", lines.get(1));
        assertTrue(lines.get(2).startsWith("127.0.0.1 - - \"GET /app/gone HTTP/1.1\" 502 "), lines::toString);
        assertTrue(lines.get(2).endsWith(" T " + upstream), lines::toString);
    }

    @Test
    void aClientCannotWriteALineOfItsOwn() throws Exception {
        HttpTestOrigin origin = fixture.origin("o");
        origin.on("/app/x", OriginScripts.text(200, "x"));
        Path log = start(origin);

        RawClient client = fixture.client();
        assertEquals(200, client.get("/app/x", "User-Agent: a\" 200 0 \"\\evil\u00e9").status());
        fixture.drain();

        List<String> lines = Files.readAllLines(log, StandardCharsets.US_ASCII);
        assertEquals(1, lines.size(), lines::toString);
        assertTrue(lines.getFirst().contains("\"a\\x22 200 0 \\x22\\x5cevil\\xe9\""), lines::toString);
    }

    @Test
    void aFileThatCannotBeOpenedStopsTheStartNamingListenerAndFile() {
        Path missing = dir.resolve("no-such-dir/access.log");
        Exception e = assertThrows(Exception.class, () -> fixture.start("""
                listeners:
                  - name: web
                    address: 127.0.0.1:0
                    access_log: %s
                    routes:
                      - match: { prefix: / }
                        direct_response: { status: 200 }
                """.formatted(missing)));
        assertEquals("listener web: access log " + missing + ": cannot open for appending: its directory does not exist",
                e.getMessage());
    }
}
