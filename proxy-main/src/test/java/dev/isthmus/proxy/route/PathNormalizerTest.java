package dev.isthmus.proxy.route;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PathNormalizerTest {
    private final PathNormalizer normalizer = new PathNormalizer(Arena.ofAuto().allocate(256));

    private String normalize(String path) {
        MemorySegment s = Arena.ofAuto().allocateFrom(path, StandardCharsets.US_ASCII);
        int n = normalizer.normalize(s, 0, path.length());
        return n < 0 ? null : new String(normalizer.buffer().asSlice(0, n).toArray(ValueLayout.JAVA_BYTE),
                StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @CsvSource({
        "//admin, /admin",
        "/x/../admin, /admin",
        "/./admin, /admin",
        "/a/b/../../admin, /admin",
        "/../admin, /admin",
        "/a//b///c, /a/b/c",
        "/a/., /a/",
        "/a/.., /",
        "/.., /",
        "/%61dmin, /admin",
        "/x/%2e%2E/admin, /admin",
        "/a%2Fb/../c, /c",
        "/a/%7euser, /a/~user",
    })
    void normalizes(String received, String normalized) {
        assertEquals(normalized, normalize(received));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/admin", "/a/b/", "/a.b/c..d/.e", "/a%20b", "/a%2Fb", "*", "", "/a%2fb%zz"})
    void leavesNormalPathsAlone(String path) {
        assertEquals(null, normalize(path));
    }
}
