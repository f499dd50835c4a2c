package dev.isthmus.reactor;

import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLERR;
import static dev.isthmus.bindings.generated.isthmus_sys_h.EPOLLHUP;

/**
 * The epoll interest of one registration, kept with as few {@code epoll_ctl} calls as possible. Confined to the
 * reactor thread.
 *
 * <p>Wanted bits are added to the kernel's set at once; bits no longer wanted stay registered until an event shows
 * one firing, and only then is the set narrowed. A keep-alive connection alternates between wanting EPOLLIN and not
 * wanting it on every request, and narrowing eagerly cost four {@code epoll_ctl} per proxied request (measured with
 * strace); lazily, steady traffic costs none. This is safe only because registrations are level-triggered: a bit
 * that fires while unwanted is simply dropped from the set, and a condition that persists is reported again once
 * it is wanted.
 */
public final class Interest {
    private final EpollReactor reactor;
    private long token;
    private int registered;
    private int wanted;

    public Interest(EpollReactor reactor) {
        this.reactor = reactor;
    }

    /** Starts tracking a registration made with {@code registeredEvents}. */
    public void bind(long token, int registeredEvents) {
        this.token = token;
        this.registered = registeredEvents;
        this.wanted = registeredEvents;
    }

    /** Declares the events now wanted; costs a syscall only when a bit must be added. */
    public void want(int events) {
        wanted = events;
        if ((registered | events) != registered) {
            registered |= events;
            reactor.modify(token, registered);
        }
    }

    /**
     * The part of a ready set the owner should act on: the wanted bits plus errors and hang-ups (which epoll always
     * reports). Bits that fired unwanted are removed from the kernel's set here.
     */
    public int filter(int readyEvents) {
        int unconditional = EPOLLERR() | EPOLLHUP();
        int stale = readyEvents & registered & ~wanted & ~unconditional;
        if (stale != 0) {
            registered = wanted;
            reactor.modify(token, registered);
        }
        return readyEvents & (wanted | unconditional);
    }

    public int wanted() {
        return wanted;
    }
}
