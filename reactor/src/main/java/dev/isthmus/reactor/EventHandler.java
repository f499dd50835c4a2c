package dev.isthmus.reactor;

/**
 * The callback behind one registered file descriptor (Envoy's {@code FileEvent}). Called on the owning reactor's
 * thread only, with the ready mask epoll reported ({@code EPOLLIN}, {@code EPOLLOUT}, {@code EPOLLERR}, ...).
 */
public interface EventHandler {
    void onEvents(int readyEvents);

    /**
     * The reactor is shutting down with this handler still registered: release the fd and anything else held.
     * Called on the reactor thread, once.
     */
    void onReactorShutdown();

    /**
     * Called once per {@link EpollReactor#defer}, after the events of that duty cycle have all been dispatched.
     * Handlers that never defer need not implement it.
     */
    default void onDeferred() {
    }

    /**
     * {@link #onEvents} (or {@link #onDeferred}) threw: the reactor logs {@code failure} and calls this so the handler can release what it
     * holds; one connection's bug must not stop the reactor serving every other. Defaults to the shutdown path.
     */
    default void onFailure(Throwable failure) {
        onReactorShutdown();
    }
}
