package dev.isthmus.reactor;

import java.util.Arrays;

/**
 * Maps the 64-bit epoll user data of each registration back to its handler without boxing or hashing (the seed's
 * {@code FileEventImpl::assignEvents}). Confined to the reactor thread.
 *
 * <p>A token is {@code generation << 32 | slot}. A slot freed and reused within one {@code epoll_wait} batch gets a new
 * generation, so a stale event for a closed fd whose number the kernel already handed out again is dropped rather
 * than delivered to the new owner.
 */
final class HandlerTable {
    private static final int SLOT_BITS = 32;
    private static final long SLOT_MASK = 0xffff_ffffL;

    private EventHandler[] handlers;
    private int[] fds;
    private int[] generations;
    private int[] freeSlots;
    private int freeCount;
    private int used;

    HandlerTable(int initialCapacity) {
        handlers = new EventHandler[initialCapacity];
        fds = new int[initialCapacity];
        generations = new int[initialCapacity];
        freeSlots = new int[initialCapacity];
        for (int i = initialCapacity - 1; i >= 0; i--) {
            freeSlots[freeCount++] = i;
        }
    }

    long add(int fd, EventHandler handler) {
        if (freeCount == 0) {
            grow();
        }
        int slot = freeSlots[--freeCount];
        handlers[slot] = handler;
        fds[slot] = fd;
        used++;
        return ((long) generations[slot] << SLOT_BITS) | slot;
    }

    /** The handler for {@code token}, or null when the registration it names is gone. */
    EventHandler handler(long token) {
        int slot = (int) (token & SLOT_MASK);
        if (slot >= handlers.length || generations[slot] != (int) (token >>> SLOT_BITS)) {
            return null;
        }
        return handlers[slot];
    }

    int fd(long token) {
        return fds[(int) (token & SLOT_MASK)];
    }

    boolean contains(long token) {
        return handler(token) != null;
    }

    void remove(long token) {
        int slot = (int) (token & SLOT_MASK);
        if (generations[slot] != (int) (token >>> SLOT_BITS) || handlers[slot] == null) {
            return;
        }
        handlers[slot] = null;
        fds[slot] = -1;
        generations[slot]++;
        freeSlots[freeCount++] = slot;
        used--;
    }

    int size() {
        return used;
    }

    /** Snapshot of live handlers, for shutdown only. */
    EventHandler[] liveHandlers() {
        EventHandler[] live = new EventHandler[used];
        int n = 0;
        for (EventHandler handler : handlers) {
            if (handler != null) {
                live[n++] = handler;
            }
        }
        return live;
    }

    private void grow() {
        int oldCapacity = handlers.length;
        int newCapacity = oldCapacity * 2;
        handlers = Arrays.copyOf(handlers, newCapacity);
        fds = Arrays.copyOf(fds, newCapacity);
        generations = Arrays.copyOf(generations, newCapacity);
        freeSlots = Arrays.copyOf(freeSlots, newCapacity);
        for (int i = newCapacity - 1; i >= oldCapacity; i--) {
            freeSlots[freeCount++] = i;
        }
    }
}
