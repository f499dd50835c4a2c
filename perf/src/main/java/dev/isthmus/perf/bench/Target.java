package dev.isthmus.perf.bench;

import java.util.Locale;

/** A row of the bench: what the load generator talks to. */
public enum Target {
    /** The nginx origin itself, no proxy: the reference every proxy is compared with. */
    DIRECT("direct (no proxy)", false),
    /** isthmus from proxy-main, started through bin/isthmus. */
    ISTHMUS("isthmus", true),
    /** nginx as a reverse proxy with an upstream keep-alive pool. */
    NGINX("nginx", true),
    /** HAProxy with http-reuse always and splice-response. */
    HAPROXY("haproxy", true);

    private final String label;
    private final boolean proxy;

    Target(String label, boolean proxy) {
        this.label = label;
        this.proxy = proxy;
    }

    public String label() {
        return label;
    }

    /** True for the rows that are proxies in front of the origin (all but {@link #DIRECT}). */
    public boolean isProxy() {
        return proxy;
    }

    /** True for nginx and HAProxy: the rows isthmus is ranked against. */
    public boolean isCompetitor() {
        return this == NGINX || this == HAPROXY;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The target named {@code key} (case-insensitive); IllegalArgumentException listing the valid names otherwise. */
    public static Target fromKey(String key) {
        for (Target target : values()) {
            if (target.key().equalsIgnoreCase(key.trim())) {
                return target;
            }
        }
        throw new IllegalArgumentException("unknown target '" + key + "' (valid: direct, isthmus, nginx, haproxy)");
    }
}
