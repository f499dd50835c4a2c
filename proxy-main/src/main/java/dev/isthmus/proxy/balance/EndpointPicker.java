package dev.isthmus.proxy.balance;

import dev.isthmus.proxy.config.LoadBalancerPolicy;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the endpoint of one cluster for the next upstream connection or request on one reactor: the cluster's
 * policy, over the endpoints that are not ejected. A connect that fails (refused, unreachable, timed out) ejects its
 * endpoint for the cluster's {@code ejection_time}, as nginx's {@code max_fails=1 fail_timeout}, so a dead endpoint
 * costs one failed connect per reactor per period instead of its share of every request; a connect that succeeds
 * ends the ejection at once. When every endpoint is ejected the policy runs over all of them (Envoy's panic mode):
 * a cluster that looks all down is still tried rather than failed without trying. Each reactor learns on its own.
 * Confined to the reactor thread; allocates nothing, and reads the clock only while some endpoint is ejected.
 */
public final class EndpointPicker {
    private static final long NOT_EJECTED = Long.MIN_VALUE;
    private static final int MAX_CONNECT_ATTEMPTS = 3;

    private final LoadBalancerPolicy policy;
    private final long ejectionNanos;
    private final int[] active;
    private final long[] ejectedUntil;
    private final SplittableRandom random = new SplittableRandom();
    private int ejected;
    private int nextRoundRobin;

    /** {@code ejectionNanos} 0 turns ejection off. */
    public EndpointPicker(int endpoints, LoadBalancerPolicy policy, long ejectionNanos) {
        if (endpoints < 1) {
            throw new IllegalArgumentException("no endpoints");
        }
        this.policy = policy;
        this.ejectionNanos = ejectionNanos;
        this.active = new int[endpoints];
        this.ejectedUntil = new long[endpoints];
        Arrays.fill(ejectedUntil, NOT_EJECTED);
    }

    /**
     * Whether a request or connection whose first {@code failedConnects} connects all failed may try another
     * endpoint: nothing of it was sent yet, so it is safe, up to three attempts and never more than the cluster has
     * endpoints (nginx's {@code proxy_next_upstream error timeout}).
     */
    public boolean mayTryAnother(int failedConnects) {
        return failedConnects < Math.min(MAX_CONNECT_ATTEMPTS, active.length);
    }

    /** The endpoint for the next connection or request, by the policy, skipping ejected endpoints while any is not. */
    public int pick() {
        int chosen = byPolicy();
        if (ejected == 0) {
            return chosen;
        }
        long now = System.nanoTime();
        int n = active.length;
        for (int k = 0; k < n; k++) {
            int candidate = chosen + k < n ? chosen + k : chosen + k - n;
            if (!isEjected(candidate, now)) {
                return candidate;
            }
        }
        return chosen;
    }

    /** A request or connection began using {@code endpoint} (what {@code least_request} counts). */
    public void started(int endpoint) {
        active[endpoint]++;
    }

    /** A request or connection counted by {@link #started} ended. */
    public void finished(int endpoint) {
        active[endpoint]--;
    }

    /** A connect to {@code endpoint} failed: skip it for the ejection time. */
    public void connectFailed(int endpoint) {
        if (ejectionNanos == 0 || active.length == 1) {
            return;
        }
        if (ejectedUntil[endpoint] == NOT_EJECTED) {
            ejected++;
        }
        ejectedUntil[endpoint] = System.nanoTime() + ejectionNanos;
    }

    /** A connect to {@code endpoint} succeeded: it is alive, whatever ejected it before. */
    public void connected(int endpoint) {
        if (ejectedUntil[endpoint] != NOT_EJECTED) {
            ejectedUntil[endpoint] = NOT_EJECTED;
            ejected--;
        }
    }

    /** How many endpoints are skipped now (expired ejections are cleared on the way). */
    public int ejectedCount() {
        if (ejected == 0) {
            return 0;
        }
        long now = System.nanoTime();
        int count = 0;
        for (int endpoint = 0; endpoint < ejectedUntil.length; endpoint++) {
            count += isEjected(endpoint, now) ? 1 : 0;
        }
        return count;
    }

    /** Whether {@code endpoint} is skipped now (an expired ejection is cleared on the way). */
    public boolean isEjected(int endpoint) {
        return ejected != 0 && isEjected(endpoint, System.nanoTime());
    }

    private boolean isEjected(int endpoint, long now) {
        long until = ejectedUntil[endpoint];
        if (until == NOT_EJECTED) {
            return false;
        }
        if (now - until >= 0) {
            ejectedUntil[endpoint] = NOT_EJECTED;
            ejected--;
            return false;
        }
        return true;
    }

    private int byPolicy() {
        int n = active.length;
        if (n == 1) {
            return 0;
        }
        return switch (policy) {
            case ROUND_ROBIN -> {
                int chosen = nextRoundRobin;
                nextRoundRobin = chosen + 1 == n ? 0 : chosen + 1;
                yield chosen;
            }
            case RANDOM -> random.nextInt(n);
            case LEAST_REQUEST -> {
                // Power of two choices: two distinct random endpoints, the less loaded wins.
                int a = random.nextInt(n);
                int b = random.nextInt(n - 1);
                if (b >= a) {
                    b++;
                }
                yield active[b] < active[a] ? b : a;
            }
        };
    }
}
