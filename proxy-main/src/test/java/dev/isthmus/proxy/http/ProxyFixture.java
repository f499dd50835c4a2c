package dev.isthmus.proxy.http;

import dev.isthmus.proxy.config.ConfigLoader;
import dev.isthmus.proxy.config.ProxyConfig;
import dev.isthmus.proxy.server.ListenerRuntime;
import dev.isthmus.proxy.server.ProxyServer;
import dev.isthmus.proxy.testing.Eventually;
import dev.isthmus.proxy.testing.OpenFds;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Per-test harness for the HTTP proxy tests, registered with {@code @RegisterExtension}: starts an in-process proxy
 * from YAML text, owns the origins and clients a test opens, and after each test drains the proxy, closes everything
 * and asserts that no socket, pipe or eventfd opened during the test is still open in this process.
 * Used from the test thread only.
 */
public final class ProxyFixture implements BeforeEachCallback, AfterEachCallback {
    /** The listener name every test config uses. */
    public static final String LISTENER = "web";
    private static final Duration FD_WAIT = Duration.ofSeconds(20);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private SortedSet<String> fdsBefore;
    private ProxyServer proxy;
    private int proxyPort;
    private final List<Integer> originPorts = new ArrayList<>();

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        OpenFds.warmUpJdkSockets();
        fdsBefore = OpenFds.describe();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        drain();
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
        toClose.clear();
        // Compared by identity (fd and inode), not by count: a descriptor of an earlier test closing late would
        // otherwise hide a leak of this one.
        try {
            Eventually.await("every socket, pipe and eventfd closed", FD_WAIT, () -> opened().isEmpty());
        } finally {
            Set<String> leaked = opened();
            assertEquals(Set.of(), leaked, () -> "sockets, pipes or eventfds leaked: " + explain(leaked)
                    + "\nports: proxy " + proxyPort + ", origins " + originPorts);
        }
    }

    private static Set<String> explain(Set<String> leaked) {
        try {
            return OpenFds.explain(leaked);
        } catch (IOException e) {
            return leaked;
        }
    }

    private Set<String> opened() {
        try {
            SortedSet<String> now = OpenFds.describe();
            now.removeAll(fdsBefore);
            return now;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the proxy from YAML (listener {@value #LISTENER} on 127.0.0.1:0); returns its port. */
    public int start(String yaml) throws Exception {
        ProxyConfig config = new ConfigLoader().parse("test.yaml", yaml);
        proxy = ProxyServer.start(config);
        proxyPort = proxy.port(LISTENER);
        return proxyPort;
    }

    public ProxyServer proxy() {
        return proxy;
    }

    public int port() {
        return proxy.port(LISTENER);
    }

    public ListenerRuntime listener() {
        return proxy.listener(LISTENER);
    }

    /** Error responses the proxy generated itself with {@code status}, over all workers. */
    public long proxyErrors(int status) {
        return listener().httpStat(stats -> stats.proxyErrors(status));
    }

    /** Stops the proxy now (idempotent): lets a test assert what peers saw once the proxy is gone. */
    public void drain() throws Exception {
        if (proxy != null) {
            proxy.drain(Duration.ZERO);
        }
    }

    public HttpTestOrigin origin(String name) throws IOException {
        HttpTestOrigin origin = closeLater(new HttpTestOrigin(name));
        originPorts.add(origin.port());
        return origin;
    }

    public RawClient client() throws IOException {
        return closeLater(RawClient.connect(port()));
    }

    public <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }
}
