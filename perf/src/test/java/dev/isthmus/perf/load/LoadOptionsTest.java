package dev.isthmus.perf.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class LoadOptionsTest {

    @Test
    void parsesEveryOption() {
        LoadOptions options = LoadOptions.parse(new String[] {"-c", "8", "-t", "2", "-d", "3s", "-w", "500ms", "-R",
                "1000", "-p", "4", "-m", "post", "-b", "16", "--timeout", "2s", "--quiet",
                "http://127.0.0.1:8080/a/b?x=1"});
        assertEquals("127.0.0.1", options.host());
        assertEquals(8080, options.port());
        assertEquals("/a/b?x=1", options.path());
        assertEquals("POST", options.method());
        assertEquals(Duration.ofSeconds(3), options.duration());
        assertEquals(Duration.ofMillis(500), options.warmup());
        assertEquals(4, options.pipeline());
        assertTrue(options.isOpenLoop());
        assertTrue(options.quiet());
        assertTrue(LoadOptions.parse(new String[] {"--close", "http://127.0.0.1:8080/"}).closeEach());
    }

    @Test
    void defaultsToPortEightyAndRoot() {
        LoadOptions options = LoadOptions.parse(new String[] {"http://localhost"});
        assertEquals(80, options.port());
        assertEquals("/", options.path());
        assertEquals(64, options.connections());
    }

    @Test
    void badInputIsAClearError() {
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {}));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"https://x/"}));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"-c", "x", "http://x/"}));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"-c", "0", "http://x/"}));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"-t", "4", "-c", "2", "http://x/"}));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"--bogus", "http://x/"}));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"-d", "soon", "http://x/"}));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(new String[] {"-c"}));
        assertThrows(IllegalArgumentException.class,
                () -> LoadOptions.parse(new String[] {"--close", "-p", "2", "http://x/"}));
    }
}
