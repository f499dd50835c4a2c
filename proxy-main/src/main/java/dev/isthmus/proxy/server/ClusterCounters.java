package dev.isthmus.proxy.server;

import dev.isthmus.proxy.balance.ClusterGauges;
import dev.isthmus.proxy.config.ClusterConfig;

import java.util.List;

/**
 * What every cluster carries, summed over listeners and reactors; each reactor adds its part on its own thread, the
 * admin thread reads the sums once every part is in.
 */
final class ClusterCounters implements ClusterGauges {
    private final List<ClusterConfig> clusters;
    private final long[] open;
    private final long[] idle;
    private final long[] pending;
    private final long[] ejected;

    ClusterCounters(List<ClusterConfig> clusters) {
        this.clusters = clusters;
        this.open = new long[clusters.size()];
        this.idle = new long[clusters.size()];
        this.pending = new long[clusters.size()];
        this.ejected = new long[clusters.size()];
    }

    /** A cluster this config does not name (a reload removed it while reactors were reporting) is left out. */
    @Override
    public synchronized void add(String cluster, int open, int idle, int pending, int ejected) {
        int clusterIndex = indexOf(cluster);
        if (clusterIndex < 0) {
            return;
        }
        this.open[clusterIndex] += open;
        this.idle[clusterIndex] += idle;
        this.pending[clusterIndex] += pending;
        this.ejected[clusterIndex] += ejected;
    }

    private int indexOf(String cluster) {
        for (int i = 0; i < clusters.size(); i++) {
            if (clusters.get(i).name().equals(cluster)) {
                return i;
            }
        }
        return -1;
    }

    int size() {
        return clusters.size();
    }

    String name(int cluster) {
        return clusters.get(cluster).name();
    }

    synchronized long open(int cluster) {
        return open[cluster];
    }

    synchronized long idle(int cluster) {
        return idle[cluster];
    }

    synchronized long pending(int cluster) {
        return pending[cluster];
    }

    synchronized long ejected(int cluster) {
        return ejected[cluster];
    }
}
