package dev.isthmus.proxy.server;

/**
 * A valid config that the running proxy cannot take: one only a restart can apply (see {@link ReloadCheck}), or a new
 * listener that cannot open. Nothing changed.
 */
public final class ReloadRefusedException extends Exception {
    ReloadRefusedException(String reason) {
        super(reason);
    }
}
