package dev.isthmus.proxy.tcp;

import dev.isthmus.proxy.balance.ClusterGauges;
import dev.isthmus.proxy.balance.EndpointPicker;
import dev.isthmus.proxy.config.ClusterConfig;
import dev.isthmus.proxy.config.ListenerConfig;
import dev.isthmus.proxy.config.ListenerLimits;
import dev.isthmus.proxy.log.RateLimitedLog;
import dev.isthmus.reactor.EpollReactor;
import dev.isthmus.reactor.IndexedSet;
import dev.isthmus.reactor.Listener;

import java.lang.foreign.MemorySegment;

/**
 * One tcp listener on one reactor: accepts clients and starts a {@link TcpSession} to an endpoint of the listener's
 * cluster, picked by the cluster's policy with failed endpoints ejected ({@link EndpointPicker}). Confined to the
 * reactor thread; the counters are read by other threads only as plain snapshots (stats are allowed to lag).
 */
public final class TcpListenerWorker implements Listener.AcceptHandler {
    private static final int WARNINGS_PER_SECOND = 20;

    private final EpollReactor reactor;
    private final String listenerName;
    private TcpUpstreams upstreams;
    private long idleTimeoutNanos;
    private int maxConnections;
    private final IndexedSet<TcpSession> sessions = new IndexedSet<>();
    private volatile long bytesUpstream;
    private volatile long bytesDownstream;
    private volatile long upstreamFailures;
    private volatile int activeSessions;
    private Listener listener;
    private final RateLimitedLog warnings;

    public TcpListenerWorker(EpollReactor reactor, ListenerConfig listener, ClusterConfig cluster) {
        this.reactor = reactor;
        this.listenerName = listener.name();
        this.warnings = new RateLimitedLog(System.getLogger(TcpSession.class.getName()), System.Logger.Level.WARNING,
                WARNINGS_PER_SECOND, "tcp " + listener.name(), reactor);
        this.idleTimeoutNanos = listener.limits().idleTimeout().toNanos();
        this.maxConnections = listener.limits().maxConnections();
        this.upstreams = new TcpUpstreams(cluster);
    }

    /**
     * A reload: sessions accepted from now on go to {@code cluster}; those under way keep theirs. The idle timeout
     * and {@code max_connections} of {@code limits} apply to every session from now on.
     */
    public void reconfigure(ClusterConfig cluster, ListenerLimits limits) {
        upstreams = new TcpUpstreams(cluster);
        idleTimeoutNanos = limits.idleTimeout().toNanos();
        maxConnections = limits.maxConnections();
        acceptWithinLimit();
    }

    /** The listen socket this worker accepts from, paused while the worker is at {@code max_connections}. */
    public void listenOn(Listener socket) {
        this.listener = socket;
    }

    @Override
    public void onAccept(int fd, MemorySegment peerAddress) {
        TcpSession session = new TcpSession(this, fd);
        sessions.add(session);
        activeSessions = sessions.size();
        acceptWithinLimit();
        session.start();
    }

    EpollReactor reactor() {
        return reactor;
    }

    TcpUpstreams upstreams() {
        return upstreams;
    }

    RateLimitedLog warnings() {
        return warnings;
    }

    String listenerName() {
        return listenerName;
    }

    long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    void sessionClosed(TcpSession session) {
        sessions.remove(session);
        activeSessions = sessions.size();
        acceptWithinLimit();
    }

    /** Accepts while under {@code max_connections}, pauses at it (a reload may have moved it either way). */
    private void acceptWithinLimit() {
        if (listener != null) {
            listener.acceptWhile(activeSessions < maxConnections);
        }
    }

    void countUpstreamFailure() {
        upstreamFailures++;
    }

    void addBytes(long upstream, long downstream) {
        bytesUpstream += upstream;
        bytesDownstream += downstream;
    }

    public int activeSessions() {
        return activeSessions;
    }

    /** Payload bytes spliced client to upstream by closed sessions. */
    public long bytesUpstream() {
        return bytesUpstream;
    }

    /** Payload bytes spliced upstream to client by closed sessions. */
    public long bytesDownstream() {
        return bytesDownstream;
    }

    public long upstreamFailures() {
        return upstreamFailures;
    }

    /** Reports this listener's sessions as its cluster's open upstream connections. Reactor thread only. */
    public void reportUpstreams(ClusterGauges gauges) {
        gauges.add(upstreams.clusterName(), activeSessions, 0, 0, upstreams.picker().ejectedCount());
    }

    /** Closes every session at once (end of a drain). */
    public void closeAll() {
        sessions.forEachPresent(TcpSession::close);
    }
}
