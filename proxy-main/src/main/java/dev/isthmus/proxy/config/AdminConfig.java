package dev.isthmus.proxy.config;

import java.util.Objects;

/**
 * The admin endpoint (stats, readiness); accepted and validated now, served by the runtime when it exists.
 *
 * @param address where the admin endpoint listens
 */
public record AdminConfig(HostPort address) {

    public AdminConfig {
        Objects.requireNonNull(address, "address");
    }
}
