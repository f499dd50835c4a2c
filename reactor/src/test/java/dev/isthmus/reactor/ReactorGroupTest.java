package dev.isthmus.reactor;

import dev.isthmus.bindings.Syscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
final class ReactorGroupTest {
    private static final Duration SHUTDOWN = Duration.ofSeconds(10);

    @Test
    void postFromAnotherThreadWakesASleepingReactor() throws Exception {
        ReactorGroup group = ReactorGroup.start("wake", 1, ReactorOptions.DEFAULTS, false);
        try {
            EpollReactor reactor = group.get(0);
            for (int round = 0; round < 100; round++) {
                CountDownLatch ran = new CountDownLatch(1);
                AtomicLong thread = new AtomicLong();
                reactor.post(() -> {
                    thread.set(Thread.currentThread().threadId());
                    ran.countDown();
                });
                assertTrue(ran.await(5, TimeUnit.SECONDS), "task " + round + " never ran");
                assertTrue(thread.get() != Thread.currentThread().threadId());
            }
        } finally {
            assertTrue(group.shutdown(SHUTDOWN));
        }
    }

    @Test
    void aReactorStoppedByAnErrorNoHandlerCatchesIsReportedAndLeftOutOfOnEach() throws Exception {
        ReactorGroup group = ReactorGroup.start("lost", 2, ReactorOptions.DEFAULTS, false);
        try {
            group.get(0).post(() -> {
                throw new InternalError("uncontained");
            });
            String reason = group.unexpectedStop().get(10, TimeUnit.SECONDS);
            assertTrue(reason.contains("lost-0") && reason.contains("uncontained"), reason);
            List<String> ranOn = new CopyOnWriteArrayList<>();
            group.onEach(reactor -> ranOn.add(reactor.name()), SHUTDOWN);
            assertEquals(List.of("lost-1"), ranOn, "the survivor runs it; the lost one is not waited for");
        } finally {
            assertTrue(group.shutdown(SHUTDOWN));
        }
    }

    /**
     * Pinned reactors each run on one CPU, the next of those this thread may use (round robin past the last), so a
     * taskset around the process holds; more reactors than CPUs checks the wrap-around too.
     */
    @Test
    void pinnedReactorsTakeTheAllowedCpusInTurn() throws Exception {
        Syscalls sys = new Syscalls();
        int[] allowed;
        try {
            allowed = sys.allowedCpus();
        } finally {
            sys.close();
        }
        int count = allowed.length + 1;
        ReactorGroup group = ReactorGroup.start("pinned", count, ReactorOptions.DEFAULTS, true);
        try {
            List<String> expected = new ArrayList<>();
            List<String> actual = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int cpu = allowed[i % allowed.length];
                expected.add(i + ": [" + cpu + "] " + cpu);
                CompletableFuture<int[]> runsOn = new CompletableFuture<>();
                EpollReactor reactor = group.get(i);
                reactor.post(() -> {
                    try {
                        runsOn.complete(reactor.syscalls().allowedCpus());
                    } catch (Exception e) {
                        runsOn.completeExceptionally(e);
                    }
                });
                actual.add(i + ": " + Arrays.toString(runsOn.get(5, TimeUnit.SECONDS)) + " " + group.pinnedCpu(i));
            }
            assertEquals(expected, actual);
        } finally {
            assertTrue(group.shutdown(SHUTDOWN));
        }
    }

    @Test
    void unpinnedReactorsSayTheyAreNotPinned() throws Exception {
        ReactorGroup group = ReactorGroup.start("free", 1, ReactorOptions.DEFAULTS, false);
        try {
            assertEquals(-1, group.pinnedCpu(0));
        } finally {
            assertTrue(group.shutdown(SHUTDOWN));
        }
    }

    @Test
    void postsFromManyThreadsAllRunOnTheReactorThread() throws Exception {
        ReactorGroup group = ReactorGroup.start("mpsc", 1, ReactorOptions.DEFAULTS, false);
        int producers = 4;
        int perProducer = 10_000;
        AtomicInteger wrongThread = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(producers * perProducer);
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        try {
            EpollReactor reactor = group.get(0);
            for (int p = 0; p < producers; p++) {
                pool.execute(() -> {
                    for (int i = 0; i < perProducer; i++) {
                        reactor.post(() -> {
                            if (!reactor.inEventLoop()) {
                                wrongThread.incrementAndGet();
                            }
                            all.countDown();
                        });
                    }
                });
            }
            assertTrue(all.await(30, TimeUnit.SECONDS), all.getCount() + " tasks never ran");
            assertEquals(0, wrongThread.get());
        } finally {
            pool.shutdown();
            assertTrue(group.shutdown(SHUTDOWN));
        }
    }

    @Test
    void fiveThousandConnectionsAcceptedAndClosedLeaveNoFdOpen() throws Exception {
        OpenFds.warmUpJdkSockets();
        long fdsBefore = OpenFds.count();
        var before = OpenFds.describe();
        int connections = 5_000;
        int reactors = 2;
        ReactorGroup group = ReactorGroup.start("accept", reactors, ReactorOptions.DEFAULTS, false);
        AtomicLong accepted = new AtomicLong();
        List<Listener> listeners = new ArrayList<>();
        int port;
        try {
            // Port 0 must be resolved by the first listener; the others join that port through SO_REUSEPORT.
            int[] boundPort = new int[1];
            for (int i = 0; i < reactors; i++) {
                EpollReactor reactor = group.get(i);
                CompletableFuture<Listener> opened = new CompletableFuture<>();
                reactor.post(() -> {
                    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), boundPort[0]);
                    try {
                        opened.complete(Listener.open(reactor, address, (fd, peer) -> {
                            accepted.incrementAndGet();
                            reactor.syscalls().close(fd);
                        }));
                    } catch (Exception e) {
                        opened.completeExceptionally(e);
                    }
                });
                listeners.add(opened.get(10, TimeUnit.SECONDS));
                boundPort[0] = listeners.get(i).port();
            }
            port = boundPort[0];
            assertEquals(reactors, listeners.size());
            ExecutorService clients = Executors.newFixedThreadPool(4);
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                results.add(clients.submit(() -> {
                    int closedByServer = 0;
                    for (int i = 0; i < connections / 4; i++) {
                        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                             InputStream in = socket.getInputStream()) {
                            if (in.read() == -1) {
                                closedByServer++;
                            }
                        }
                    }
                    return closedByServer;
                }));
            }
            int closed = 0;
            for (Future<Integer> result : results) {
                closed += result.get();
            }
            clients.shutdown();
            assertEquals(connections, closed);
            assertEquals(connections, accepted.get());
            long perReactorMax = listeners.stream().mapToLong(Listener::acceptedCount).max().orElseThrow();
            assertTrue(perReactorMax < connections, "SO_REUSEPORT should spread accepts, one reactor took all");
        } finally {
            assertTrue(group.shutdown(SHUTDOWN));
        }
        var after = OpenFds.describe();
        after.removeAll(before);
        assertEquals(fdsBefore, OpenFds.count(), "descriptors leaked: " + after);
    }
}
