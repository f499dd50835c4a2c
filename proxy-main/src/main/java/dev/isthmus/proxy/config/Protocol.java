package dev.isthmus.proxy.config;

/** What a listener speaks: HTTP/1.1 with routing (L7), or opaque bytes to one cluster (L4). */
public enum Protocol {
    HTTP("http"),
    TCP("tcp");

    private final String configName;

    Protocol(String configName) {
        this.configName = configName;
    }

    /** The spelling in YAML and on the command line. */
    public String configName() {
        return configName;
    }
}
