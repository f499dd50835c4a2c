package dev.isthmus.proxy.cli;

import dev.isthmus.proxy.config.ProxyConfig;

/** What runs a validated config: the proxy itself in production, a recorder in tests of the command line. */
@FunctionalInterface
public interface ProxyRuntime {

    /** Runs until shut down; returns the process exit code. */
    int run(ProxyConfig config);
}
