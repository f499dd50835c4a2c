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

@Timeout(10)
final class InterestTest {
    @Test
    void unwantedReadinessIsDroppedOnceThenReportedAgainWhenWanted() throws Exception {
        EpollReactor reactor = new EpollReactor("interest", ReactorOptions.DEFAULTS);
        try (Arena arena = Arena.ofConfined()) {
            Syscalls sys = reactor.syscalls();
            int[] pair = new int[2];
            sys.socketpair(AF_UNIX(), SOCK_STREAM() | SOCK_NONBLOCK() | SOCK_CLOEXEC(), 0, pair);
            Interest interest = new Interest(reactor);
            List<Integer> delivered = new ArrayList<>();
            int[] raw = new int[1];
            long token = reactor.register(pair[0], EPOLLIN(), new EventHandler() {
                @Override
                public void onEvents(int readyEvents) {
                    raw[0]++;
                    int events = interest.filter(readyEvents);
                    if (events != 0) {
                        delivered.add(events);
                    }
                }

                @Override
                public void onReactorShutdown() {
                }
            });
            interest.bind(token, EPOLLIN());
            interest.want(0);
            MemorySegment byteToSend = arena.allocate(1);
            sys.write(pair[1], byteToSend.address(), 1);

            reactor.runOnce(0);
            assertEquals(1, raw[0], "the still-registered bit fires once");
            assertEquals(List.of(), delivered, "but is not delivered while unwanted");
            reactor.runOnce(0);
            assertEquals(1, raw[0], "after which it is out of the kernel's set: no spin");

            interest.want(EPOLLIN());
            reactor.runOnce(0);
            assertEquals(List.of(EPOLLIN()), delivered, "level-triggered: the pending byte is reported again");
            reactor.closeRegistered(token);
            sys.close(pair[1]);
        } finally {
            reactor.close();
        }
    }
}
