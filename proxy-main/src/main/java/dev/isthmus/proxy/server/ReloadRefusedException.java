package dev.isthmus.proxy.server;

/** A valid config that the running proxy cannot take without a restart (see {@link ReloadCheck}); nothing changed. */
public final class ReloadRefusedException extends Exception {
    ReloadRefusedException(String reason) {
        super(reason + " (restart to apply)");
    }
}
