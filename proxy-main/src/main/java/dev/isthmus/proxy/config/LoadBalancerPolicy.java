package dev.isthmus.proxy.config;

/** How a cluster picks an endpoint for each new upstream request or connection. */
public enum LoadBalancerPolicy {
    ROUND_ROBIN("round_robin"),
    RANDOM("random"),
    /** The fewer active requests (per reactor) of two endpoints chosen at random: power of two choices. */
    LEAST_REQUEST("least_request");

    private final String configName;

    LoadBalancerPolicy(String configName) {
        this.configName = configName;
    }

    /** The spelling in YAML. */
    public String configName() {
        return configName;
    }
}
