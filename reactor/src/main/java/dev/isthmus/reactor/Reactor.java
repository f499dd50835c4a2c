package dev.isthmus.reactor;

/** The only doors into a reactor from other threads: post a task and ask whether we are already on its thread. */
public interface Reactor {
    /** Runs {@code task} on the reactor thread soon; safe from any thread, wakes the reactor if it sleeps. */
    void post(Runnable task);

    /** True when called from this reactor's own thread. */
    boolean inEventLoop();
}
