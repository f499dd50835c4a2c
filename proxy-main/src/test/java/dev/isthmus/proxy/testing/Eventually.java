package dev.isthmus.proxy.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition another thread will make true, with a deadline; fails with the description otherwise. */
public final class Eventually {
    private Eventually() {
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(1);
        }
    }
}
