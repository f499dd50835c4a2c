package dev.isthmus.proxy.config;

import java.util.Objects;

/**
 * The admin endpoint: {@code /ready} and {@code /stats}, served by {@code admin.AdminServer}.
 *
 * @param address where the admin endpoint listens
 */
public record AdminConfig(HostPort address) {

    public AdminConfig {
        Objects.requireNonNull(address, "address");
    }
}
