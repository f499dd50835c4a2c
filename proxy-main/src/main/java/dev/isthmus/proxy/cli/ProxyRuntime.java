package dev.isthmus.proxy.cli;

import dev.isthmus.proxy.config.ConfigSource;
import dev.isthmus.proxy.config.ProxyConfig;

import java.util.Optional;

/** What runs a validated config: the proxy itself in production, a recorder in tests of the command line. */
@FunctionalInterface
public interface ProxyRuntime {

    /** Runs until shut down; returns the process exit code. {@code source}: where to read the config again (SIGHUP). */
    int run(ProxyConfig config, Optional<ConfigSource> source);
}
