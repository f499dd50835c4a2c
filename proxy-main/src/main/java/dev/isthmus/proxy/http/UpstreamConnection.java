package dev.isthmus.proxy.http;

import dev.isthmus.bindings.SyscallException;
import dev.isthmus.reactor.EpollReactor;
import dev.isthmus.reactor.EventHandler;
import dev.isthmus.reactor.Interest;
import dev.isthmus.reactor.Sockets;
import dev.isthmus.reactor.Timer;

import java.lang.foreign.MemorySegment;

import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLIN;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLOUT;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLRDHUP;

/**
 * One connection to an upstream endpoint, owned by its {@link UpstreamPool} and lent to one {@link ClientConnection}
 * at a time. Confined to the reactor thread.
 *
 * <p>States: {@code CONNECTING} (non-blocking connect in flight, connect timer armed), {@code ACTIVE} (lent to a
 * client; events go to it), {@code IDLE} (in the pool, watched for the upstream closing it, idle timer armed),
 * {@code CLOSED}.
 */
final class UpstreamConnection implements EventHandler {
    enum State { CONNECTING, ACTIVE, IDLE, CLOSED }

    final UpstreamPool pool;
    final int endpoint;
    private final EpollReactor reactor;
    private final Timer timer;
    private State state = State.CONNECTING;
    private int fd = -1;
    private long token;
    private final Interest interest;
    private ClientConnection client;
    private boolean detached;
    /** Requests completed on this connection: a reused connection may have been closed by the upstream meanwhile. */
    int requestsServed;
    /** The response buffer while a response is being read; null when idle. */
    MemorySegment chunk;

    UpstreamConnection(UpstreamPool pool, int endpoint, EpollReactor reactor) {
        this.pool = pool;
        this.endpoint = endpoint;
        this.reactor = reactor;
        this.timer = reactor.newTimer(this::onTimeout);
        this.interest = new Interest(reactor);
    }

    /** Starts the connect for {@code client}; returns 0 or {@code -errno} (then nothing is left open). */
    int connect(ClientConnection client) {
        this.client = client;
        fd = Sockets.connectNonBlocking(reactor.syscalls(), pool.sockaddr(endpoint), pool.sockaddrLength(endpoint),
                pool.socketBuffers().sendBytes(), pool.socketBuffers().receiveBytes());
        if (fd < 0) {
            int error = fd;
            state = State.CLOSED;
            return error;
        }
        try {
            // Registered for the response already: adding EPOLLIN once the request is out would cost an epoll_ctl.
            token = reactor.register(fd, EPOLLOUT() | EPOLLIN() | EPOLLRDHUP(), this);
            interest.bind(token, EPOLLOUT() | EPOLLIN() | EPOLLRDHUP());
            interest.want(EPOLLOUT());
        } catch (SyscallException e) {
            reactor.syscalls().close(fd);
            state = State.CLOSED;
            return -e.errno();
        }
        timer.schedule(pool.connectTimeoutNanos());
        return 0;
    }

    int fd() {
        return fd;
    }

    State state() {
        return state;
    }

    ClientConnection client() {
        return client;
    }

    /** Lends a pooled connection to {@code client}: an idle one, or one just released and handed straight on. */
    void lend(ClientConnection client) {
        assert state == State.IDLE || state == State.ACTIVE;
        timer.cancel();
        this.client = client;
        state = State.ACTIVE;
    }

    /** Back to the pool: watched for EOF or stray bytes (either closes it), closed after the idle timeout. */
    void park() {
        client = null;
        state = State.IDLE;
        setInterest(EPOLLIN() | EPOLLRDHUP());
        timer.schedule(pool.idleTimeoutNanos());
    }

    /**
     * Stops watching the socket (it hung up and level-triggered epoll would report that forever) while its last
     * bytes are still read out; it is never pooled after this.
     */
    void detach() {
        if (!detached) {
            detached = true;
            reactor.unregister(token);
        }
    }

    boolean isDetached() {
        return detached;
    }

    void setInterest(int wanted) {
        if (state != State.CLOSED && !detached) {
            interest.want(wanted);
        }
    }

    @Override
    public void onEvents(int readyEvents) {
        int events = interest.filter(readyEvents);
        if (events == 0) {
            return;
        }
        switch (state) {
            case CONNECTING -> {
                timer.cancel();
                int result = Sockets.connectResult(reactor.syscalls(), fd, events);
                if (result < 0) {
                    ClientConnection waiting = client;
                    pool.connectFailed(endpoint);
                    close();
                    waiting.upstreamConnectFailed(this, result);
                } else {
                    state = State.ACTIVE;
                    requestsServed = 0;
                    pool.connected(endpoint);
                    client.upstreamReady(this);
                }
            }
            case ACTIVE -> client.onUpstreamEvents(events);
            case IDLE -> close();
            case CLOSED -> { }
        }
    }

    private void onTimeout() {
        switch (state) {
            case CONNECTING -> {
                ClientConnection waiting = client;
                pool.connectFailed(endpoint);
                close();
                waiting.upstreamConnectTimedOut(this);
            }
            case IDLE -> close();
            default -> { }
        }
    }

    /** Closes the socket and gives its slot back to the pool; safe to call twice. */
    void close() {
        if (state == State.CLOSED) {
            return;
        }
        State was = state;
        state = State.CLOSED;
        timer.cancel();
        client = null;
        if (chunk != null) {
            pool.chunks().release(chunk);
            chunk = null;
        }
        if (detached) {
            reactor.syscalls().close(fd);
        } else {
            reactor.closeRegistered(token);
        }
        pool.connectionClosed(this, was);
    }

    @Override
    public void onReactorShutdown() {
        ClientConnection lentTo = client;
        if (lentTo != null) {
            lentTo.close();
        }
        close();
    }
}
