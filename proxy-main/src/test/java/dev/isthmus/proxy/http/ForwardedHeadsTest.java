package dev.isthmus.proxy.http;

import dev.isthmus.http1.GatherList;
import dev.isthmus.http1.HttpMethod;
import dev.isthmus.http1.HttpVersion;
import dev.isthmus.http1.ParseStatus;
import dev.isthmus.http1.ResponseHead;
import dev.isthmus.http1.ResponseParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rewritten response head grows by less than {@link ChunkPools#REWRITE_HEADROOM}, the room a response read leaves
 * in its chunk: otherwise a head and body that filled the read could not wait whole for a slow client.
 */
final class ForwardedHeadsTest {

    /** Heads that make the rewrite add the most: no Date, an HTTP/1.0 origin, framing fields to normalize. */
    static Stream<Arguments> heads() {
        return Stream.of(
                Arguments.of("HTTP/1.0 200\r\ncontent-length:5\r\n\r\n", HttpVersion.HTTP_1_0, false),
                Arguments.of("HTTP/1.1 200\r\ncontent-length:5\r\n\r\n", HttpVersion.HTTP_1_1, true),
                Arguments.of("HTTP/1.1 200\r\ntransfer-encoding:chunked\r\n\r\n", HttpVersion.HTTP_1_1, true),
                Arguments.of("HTTP/1.2 200\r\nContent-Length:5\r\n\r\n", HttpVersion.HTTP_1_0, false));
    }

    @ParameterizedTest
    @MethodSource("heads")
    void aRewrittenResponseHeadGrowsByLessThanTheRoomAResponseReadLeaves(String text, HttpVersion client,
                                                                        boolean close) {
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            MemorySegment segment = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
            ResponseParser parser = new ResponseParser();
            parser.reset(HttpMethod.GET);
            assertEquals(ParseStatus.COMPLETE, parser.parse(segment, 0, bytes.length), text);
            ResponseHead head = parser.head();
            GatherList gather = new GatherList();
            ForwardedHeads heads = new ForwardedHeads(new ParsedRequest(null), new HttpDate(arena),
                    arena.allocate(16 * 1024), gather);
            assertTrue(heads.response(head, client, close) >= 0);
            long growth = gather.totalBytes() - head.length();
            assertTrue(growth > 0 && growth < ChunkPools.REWRITE_HEADROOM / 8,
                    () -> "grew by " + growth + " bytes: " + text);
        }
    }
}
