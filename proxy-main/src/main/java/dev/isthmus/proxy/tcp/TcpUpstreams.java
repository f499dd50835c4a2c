package dev.isthmus.proxy.tcp;

import dev.isthmus.bindings.SocketAddresses;
import dev.isthmus.proxy.balance.EndpointPicker;
import dev.isthmus.proxy.config.ClusterConfig;
import dev.isthmus.proxy.config.HostPort;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A tcp listener's cluster on one reactor: its endpoints, encoded once, and the picker that balances and ejects
 * them. A session keeps the one it started with, so a reload that replaces it never mixes the endpoints of two
 * configs in one session's connect retries. Confined to the reactor thread.
 */
final class TcpUpstreams {
    private final String clusterName;
    private final Endpoint[] endpoints;
    private final EndpointPicker picker;

    TcpUpstreams(ClusterConfig cluster) {
        this.clusterName = cluster.name();
        List<HostPort> hosts = cluster.endpoints();
        this.endpoints = new Endpoint[hosts.size()];
        // Not the reactor's arena: a reload may replace these, and their addresses must go with them.
        Arena addresses = Arena.ofAuto();
        for (int i = 0; i < endpoints.length; i++) {
            MemorySegment sockaddr = addresses.allocate(SocketAddresses.MAX_LENGTH, Long.BYTES);
            int length = SocketAddresses.write(sockaddr, hosts.get(i).socketAddress());
            endpoints[i] = new Endpoint(hosts.get(i).toString(), sockaddr, length, cluster.connectTimeout().toNanos(),
                    cluster.socketBuffers().sendBytes(), cluster.socketBuffers().receiveBytes());
        }
        this.picker = new EndpointPicker(endpoints.length, cluster.lb(), cluster.ejectionTime().toNanos());
    }

    String clusterName() {
        return clusterName;
    }

    EndpointPicker picker() {
        return picker;
    }

    Endpoint endpoint(int index) {
        return endpoints[index];
    }
}
