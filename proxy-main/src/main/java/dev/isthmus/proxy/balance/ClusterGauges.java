package dev.isthmus.proxy.balance;

/**
 * Receives what a cluster carries on one reactor, from that reactor's thread: the HTTP upstream pools and the TCP
 * listeners both report through it, so whoever sums them (the admin endpoint's stats) needs neither's internals.
 */
public interface ClusterGauges {
    /**
     * Adds one pool's or listener's part for the named cluster. By name, not by place in the config: a reload that
     * reaches the reactors one after another may leave one reporting for a cluster the new config no longer has.
     *
     * @param open upstream connections open, connecting or in use
     * @param idle of those, keep-alive connections waiting in a pool for a request
     * @param pending requests waiting for an upstream connection
     * @param ejected endpoints this reactor skips now after a failed connect
     */
    void add(String cluster, int open, int idle, int pending, int ejected);
}
