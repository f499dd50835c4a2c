package dev.isthmus.perf.jmh;

import dev.isthmus.http1.ParseStatus;
import dev.isthmus.http1.RequestHead;
import dev.isthmus.http1.RequestParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Parses one request head per operation with isthmus's {@link RequestParser} or Netty's {@link HttpRequestDecoder},
 * from the same bytes held off-heap, reusing everything reusable on both sides: the parser/decoder, the input
 * buffer (rewound, never copied) and Netty's output list. Each side also answers what a proxy needs from a head
 * (keep-alive, content length), and the results go to a Blackhole. Run with {@code -prof gc} for B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class Http1ParseBenchmark {
    /** Which codec parses. */
    @Param({"isthmus", "netty"})
    public String parser;

    /** Which request head: a minimal GET, a browser GET with 15 realistic fields, the head of a JSON POST. */
    @Param({"small_get", "browser_get", "post_head"})
    public String request;

    /** Both sides read into a buffer of the proxy's read-chunk size, as a server would, holding one request. */
    static final int READ_BUFFER_BYTES = 16 * 1024;

    static final String SMALL_GET = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";

    static final String BROWSER_GET = "GET /assets/js/app.3f9a1c.js?v=20261126 HTTP/1.1\r\n"
            + "Host: www.example.com\r\n"
            + "Connection: keep-alive\r\n"
            + "sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n"
            + "sec-ch-ua-mobile: ?0\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n"
            + "sec-ch-ua-platform: \"Linux\"\r\n"
            + "Accept: */*\r\n"
            + "Sec-Fetch-Site: same-origin\r\n"
            + "Sec-Fetch-Mode: no-cors\r\n"
            + "Sec-Fetch-Dest: script\r\n"
            + "Referer: https://www.example.com/products/widgets?page=2\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Accept-Language: en-GB,en-US;q=0.9,en;q=0.8\r\n"
            + "Cookie: session=9f8e7d6c5b4a39281706f5e4d3c2b1a0; theme=dark; _ga=GA1.2.1234567890.1700000000\r\n"
            + "If-None-Match: \"5f3c-1a2b3c4d\"\r\n"
            + "\r\n";

    static final String POST_HEAD = "POST /api/v1/orders HTTP/1.1\r\n"
            + "Host: api.example.com\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: 348\r\n"
            + "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJl\r\n"
            + "Accept: application/json\r\n"
            + "X-Request-Id: 7b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e\r\n"
            + "User-Agent: okhttp/4.12.0\r\n"
            + "\r\n";

    private boolean isthmus;
    private Arena arena;
    private MemorySegment segment;
    private long length;
    private RequestParser requestParser;

    private ByteBuf buffer;
    private ExposedDecoder decoder;
    private EmbeddedChannel channel;
    private ChannelHandlerContext context;
    private final List<Object> decoded = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() {
        byte[] bytes = switch (request) {
            case "small_get" -> SMALL_GET.getBytes(StandardCharsets.US_ASCII);
            case "browser_get" -> BROWSER_GET.getBytes(StandardCharsets.US_ASCII);
            case "post_head" -> POST_HEAD.getBytes(StandardCharsets.US_ASCII);
            default -> throw new IllegalArgumentException("unknown request shape " + request);
        };
        isthmus = switch (parser) {
            case "isthmus" -> true;
            case "netty" -> false;
            default -> throw new IllegalArgumentException("unknown parser " + parser);
        };
        length = bytes.length;
        arena = Arena.ofConfined();
        segment = arena.allocate(READ_BUFFER_BYTES);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
        requestParser = new RequestParser();

        buffer = Unpooled.directBuffer(READ_BUFFER_BYTES).writeBytes(bytes);
        decoder = new ExposedDecoder();
        channel = new EmbeddedChannel(decoder);
        context = channel.pipeline().context(decoder);
        verify();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        buffer.release();
        arena.close();
    }

    @Benchmark
    public void parse(Blackhole bh) throws Exception {
        if (isthmus) {
            parseIsthmus(bh);
        } else {
            parseNetty(bh);
        }
    }

    private void parseIsthmus(Blackhole bh) {
        requestParser.reset();
        ParseStatus status = requestParser.parse(segment, 0, length);
        RequestHead head = requestParser.head();
        bh.consume(status);
        bh.consume(head.method());
        bh.consume(head.targetOffset());
        bh.consume(head.targetLength());
        bh.consume(head.headers().count());
        bh.consume(head.keepAlive());
        bh.consume(head.contentLength());
    }

    private void parseNetty(Blackhole bh) throws Exception {
        decoder.reset();
        buffer.readerIndex(0);
        decoded.clear();
        decoder.decodeHead(context, buffer, decoded);
        HttpRequest head = (HttpRequest) decoded.get(0);
        bh.consume(head.decoderResult());
        bh.consume(head.method());
        bh.consume(head.uri());
        bh.consume(head.headers().size());
        bh.consume(HttpUtil.isKeepAlive(head));
        bh.consume(HttpUtil.getContentLength(head, -1L));
    }

    /** Both sides must really parse the bytes, or the comparison means nothing. */
    private void verify() {
        requestParser.reset();
        if (requestParser.parse(segment, 0, length) != ParseStatus.COMPLETE) {
            throw new IllegalStateException("isthmus rejected " + request + ": " + requestParser.rejection());
        }
        decoder.reset();
        buffer.readerIndex(0);
        decoded.clear();
        try {
            decoder.decodeHead(context, buffer, decoded);
        } catch (Exception e) {
            throw new IllegalStateException("netty failed on " + request, e);
        }
        HttpRequest head = (HttpRequest) decoded.get(0);
        if (!head.decoderResult().isSuccess()
                || head.headers().size() != requestParser.head().headers().count()) {
            throw new IllegalStateException("netty disagrees on " + request + ": " + head);
        }
    }

    /** Calls the decoder's decode step directly: no pipeline or cumulation cost is charged to Netty. */
    private static final class ExposedDecoder extends HttpRequestDecoder {
        void decodeHead(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            decode(ctx, in, out);
        }
    }
}
