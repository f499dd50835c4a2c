package dev.isthmus.reactor;

import dev.isthmus.bindings.Syscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static dev.isthmus.bindings.generated.isthmus_sys_h.AF_UNIX;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_CLOEXEC;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_NONBLOCK;
import static dev.isthmus.bindings.generated.isthmus_sys_h.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link EpollReactor#defer}: after the cycle's events, in order, bounded per cycle, never a reason to block. */
@Timeout(10)
final class DeferredWorkTest {
    private static final int MAX_PER_CYCLE = 4;

    @Test
    void aHandlerDeferredByAnEventRunsAfterEveryOtherEventOfThatCycle() throws Exception {
        EpollReactor reactor = new EpollReactor("deferred-order", ReactorOptions.DEFAULTS);
        List<String> order = new ArrayList<>();
        int[] first = readablePair(reactor);
        int[] second = readablePair(reactor);
        Recorder deferring = new Recorder("first", order) {
            @Override
            public void onEvents(int readyEvents) {
                super.onEvents(readyEvents);
                reactor.defer(this);
            }
        };
        reactor.register(first[0], EPOLLIN(), deferring);
        reactor.register(second[0], EPOLLIN(), new Recorder("second", order));

        reactor.runOnce(0);

        assertEquals(List.of("first event", "second event", "first deferred"), sortedEvents(order));
        closeAll(reactor, first, second);
    }

    @Test
    void deferredWorkBeyondTheCyclesBoundRunsInTheNextCycleWithoutBlocking() throws Exception {
        EpollReactor reactor = new EpollReactor("deferred-bound", new ReactorOptions(1024, MAX_PER_CYCLE,
                BufferPool.DEFAULT_CHUNK_SIZE, 16, 64 * 1024, 4));
        List<String> order = new ArrayList<>();
        for (int i = 0; i < MAX_PER_CYCLE + 2; i++) {
            reactor.defer(new Recorder("h" + i, order));
        }

        reactor.runOnce(-1);
        assertEquals(MAX_PER_CYCLE, order.size(), "no more than the bound in one cycle");
        reactor.runOnce(-1);
        assertEquals(List.of("h0 deferred", "h1 deferred", "h2 deferred", "h3 deferred", "h4 deferred",
                "h5 deferred"), order, "the rest in the next cycle, which did not wait for an event (or this hangs)");
        reactor.close();
    }

    @Test
    void aDeferredHandlerThatThrowsIsReleasedAndTheOthersStillRun() throws Exception {
        EpollReactor reactor = new EpollReactor("deferred-failure", ReactorOptions.DEFAULTS);
        List<String> order = new ArrayList<>();
        reactor.defer(new Recorder("broken", order) {
            @Override
            public void onDeferred() {
                throw new IllegalStateException("a bug in one connection");
            }
        });
        reactor.defer(new Recorder("sound", order));

        reactor.runOnce(0);

        assertEquals(List.of("broken released", "sound deferred"), order);
        reactor.close();
    }

    /** A socket pair whose first end is readable: one byte waits in it. */
    private static int[] readablePair(EpollReactor reactor) {
        Syscalls sys = reactor.syscalls();
        int[] pair = new int[2];
        sys.socketpair(AF_UNIX(), SOCK_STREAM() | SOCK_NONBLOCK() | SOCK_CLOEXEC(), 0, pair);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment oneByte = arena.allocate(1);
            sys.write(pair[1], oneByte.address(), 1);
        }
        return pair;
    }

    /** epoll reports ready fds in no promised order; what is asserted is that both events precede the deferred run. */
    private static List<String> sortedEvents(List<String> order) {
        List<String> events = new ArrayList<>(order.subList(0, 2));
        events.sort(null);
        events.addAll(order.subList(2, order.size()));
        return events;
    }

    private static void closeAll(EpollReactor reactor, int[]... pairs) {
        for (int[] pair : pairs) {
            for (int fd : pair) {
                reactor.syscalls().close(fd);
            }
        }
        reactor.close();
    }

    private static class Recorder implements EventHandler {
        private final String name;
        private final List<String> order;

        Recorder(String name, List<String> order) {
            this.name = name;
            this.order = order;
        }

        @Override
        public void onEvents(int readyEvents) {
            order.add(name + " event");
        }

        @Override
        public void onDeferred() {
            order.add(name + " deferred");
        }

        @Override
        public void onReactorShutdown() {
        }

        @Override
        public void onFailure(Throwable failure) {
            order.add(name + " released");
        }
    }
}
