package dev.isthmus.reactor;

/** What a {@link Timer} does when it fires; called on the reactor thread. */
@FunctionalInterface
public interface TimerHandler {
    void onTimeout();
}
