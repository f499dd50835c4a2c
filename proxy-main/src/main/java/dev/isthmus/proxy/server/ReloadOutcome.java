package dev.isthmus.proxy.server;

import java.util.Locale;

/** How a reload ended, as {@code /stats} counts it: what an operator alerts on after sending SIGHUP. */
enum ReloadOutcome {
    /** The new routes and clusters serve. */
    APPLIED,
    /** Valid, but only a restart can make the change (or a drain had begun, or there is no file): nothing changed. */
    REFUSED,
    /** The file could not be read or is invalid: nothing changed. */
    INVALID,
    /** A reactor failed or timed out taking it: the workers may disagree until the next reload. */
    FAILED;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
