package dev.isthmus.proxy.balance;

/**
 * Receives what a cluster carries on one reactor, from that reactor's thread: the HTTP upstream pools and the TCP
 * listeners both report through it, so whoever sums them (the admin endpoint's stats) needs neither's internals.
 */
public interface ClusterGauges {
    /**
     * Adds one pool's or listener's part for the cluster at {@code clusterIndex} (its place in the config).
     *
     * @param open upstream connections open, connecting or in use
     * @param idle of those, keep-alive connections waiting in a pool for a request
     * @param pending requests waiting for an upstream connection
     * @param ejected endpoints this reactor skips now after a failed connect
     */
    void add(int clusterIndex, int open, int idle, int pending, int ejected);
}
