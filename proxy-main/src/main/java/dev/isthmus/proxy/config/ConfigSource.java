package dev.isthmus.proxy.config;

import java.io.IOException;

/** Where a running proxy's config came from, so that SIGHUP can read and validate it again. */
public interface ConfigSource {
    /** The file, as log lines name it. */
    String name();

    /** Reads and validates the config again, with the command line's overrides applied as at start. */
    ProxyConfig load() throws IOException, ConfigException;
}
