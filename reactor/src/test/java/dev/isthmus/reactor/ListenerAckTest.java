package dev.isthmus.reactor;

import dev.isthmus.bindings.Syscalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.isthmus.bindings.generated.isthmus_sys_h.IPPROTO_TCP;
import static dev.isthmus.bindings.generated.isthmus_sys_h.TCP_QUICKACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ACK mode accepted sockets start in, read with getsockopt(TCP_QUICKACK) (0: delayed, 1: immediate) in the accept
 * handler, before the peer has sent anything: the kernel's quick ACKs by default, delayed ones after
 * {@link Listener#deferAcks}, and immediate again after {@link Sockets#ackNow}.
 */
@Timeout(30)
final class ListenerAckTest {
    private static final Duration SHUTDOWN = Duration.ofSeconds(10);

    private ReactorGroup group;

    @BeforeEach
    void start() throws Exception {
        group = ReactorGroup.start("acks", 1, ReactorOptions.DEFAULTS, false);
    }

    @AfterEach
    void stop() throws InterruptedException {
        assertTrue(group.shutdown(SHUTDOWN));
    }

    @Test
    void acceptedSocketsKeepTheKernelsQuickAcksByDefault() throws Exception {
        assertEquals(List.of(1), acceptedAckModes(false));
    }

    @Test
    void deferredAcksAreInheritedAndAckNowEndsThem() throws Exception {
        assertEquals(List.of(0, 1), acceptedAckModes(true));
    }

    /** The accepted socket's mode as accepted, and then after ackNow when {@code defer} asked for delayed ACKs. */
    private List<Integer> acceptedAckModes(boolean defer) throws Exception {
        EpollReactor reactor = group.get(0);
        CompletableFuture<List<Integer>> modes = new CompletableFuture<>();
        CompletableFuture<Listener> opened = new CompletableFuture<>();
        reactor.post(() -> {
            Syscalls sys = reactor.syscalls();
            try {
                Listener listener = Listener.open(reactor, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        (fd, peer) -> {
                            int accepted = sys.getIntOption(fd, IPPROTO_TCP(), TCP_QUICKACK());
                            if (defer) {
                                Sockets.ackNow(sys, fd);
                                modes.complete(List.of(accepted, sys.getIntOption(fd, IPPROTO_TCP(), TCP_QUICKACK())));
                            } else {
                                modes.complete(List.of(accepted));
                            }
                            sys.close(fd);
                        });
                if (defer) {
                    listener.deferAcks();
                }
                opened.complete(listener);
            } catch (Exception e) {
                opened.completeExceptionally(e);
            }
        });
        Listener listener = opened.get(10, TimeUnit.SECONDS);
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.port())) {
            return modes.get(10, TimeUnit.SECONDS);
        } finally {
            reactor.post(listener::close);
        }
    }
}
