package dev.isthmus.proxy.balance;

import dev.isthmus.proxy.config.LoadBalancerPolicy;
import dev.isthmus.proxy.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class EndpointPickerTest {
    private static final long TEN_SECONDS = Duration.ofSeconds(10).toNanos();

    @Test
    void roundRobinSkipsAnEjectedEndpoint() {
        EndpointPicker picker = new EndpointPicker(3, LoadBalancerPolicy.ROUND_ROBIN, TEN_SECONDS);
        picker.connectFailed(1);
        for (int i = 0; i < 30; i++) {
            assertTrue(picker.pick() != 1);
        }
    }

    @Test
    void everyPolicyAvoidsEjectedEndpointsWhileAnyIsLeft() {
        for (LoadBalancerPolicy policy : LoadBalancerPolicy.values()) {
            EndpointPicker picker = new EndpointPicker(4, policy, TEN_SECONDS);
            picker.connectFailed(0);
            picker.connectFailed(2);
            picker.connectFailed(3);
            for (int i = 0; i < 50; i++) {
                assertEquals(1, picker.pick(), policy.configName());
            }
        }
    }

    @Test
    void whenAllAreEjectedThePolicyRunsOverAllOfThem() {
        EndpointPicker picker = new EndpointPicker(2, LoadBalancerPolicy.ROUND_ROBIN, TEN_SECONDS);
        picker.connectFailed(0);
        picker.connectFailed(1);
        Set<Integer> picked = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            picked.add(picker.pick());
        }
        assertEquals(Set.of(0, 1), picked);
    }

    @Test
    void ejectedCountIsWhatIsSkippedNow() {
        EndpointPicker picker = new EndpointPicker(3, LoadBalancerPolicy.ROUND_ROBIN, TEN_SECONDS);
        assertEquals(0, picker.ejectedCount());
        picker.connectFailed(0);
        picker.connectFailed(2);
        picker.connectFailed(2);
        assertEquals(2, picker.ejectedCount());
        picker.connected(0);
        assertEquals(1, picker.ejectedCount());
    }

    @Test
    void aSuccessfulConnectEndsTheEjection() {
        EndpointPicker picker = new EndpointPicker(2, LoadBalancerPolicy.ROUND_ROBIN, TEN_SECONDS);
        picker.connectFailed(0);
        assertTrue(picker.isEjected(0));
        picker.connected(0);
        assertFalse(picker.isEjected(0));
        assertEquals(Set.of(0, 1), Set.of(picker.pick(), picker.pick()));
    }

    @Test
    void anEjectionExpires() throws InterruptedException {
        EndpointPicker picker = new EndpointPicker(2, LoadBalancerPolicy.ROUND_ROBIN, Duration.ofMillis(50).toNanos());
        picker.connectFailed(1);
        assertTrue(picker.isEjected(1));
        Eventually.await("the ejection expired", Duration.ofSeconds(10), () -> !picker.isEjected(1));
        assertEquals(Set.of(0, 1), Set.of(picker.pick(), picker.pick()));
    }

    @Test
    void zeroEjectionTimeAndSingleEndpointClustersNeverEject() {
        EndpointPicker off = new EndpointPicker(2, LoadBalancerPolicy.ROUND_ROBIN, 0);
        off.connectFailed(0);
        assertFalse(off.isEjected(0));
        EndpointPicker single = new EndpointPicker(1, LoadBalancerPolicy.ROUND_ROBIN, TEN_SECONDS);
        single.connectFailed(0);
        assertFalse(single.isEjected(0));
        assertEquals(0, single.pick());
    }

    @Test
    void leastRequestPrefersTheLessBusyOfTwo() {
        EndpointPicker picker = new EndpointPicker(2, LoadBalancerPolicy.LEAST_REQUEST, TEN_SECONDS);
        picker.started(0);
        for (int i = 0; i < 20; i++) {
            assertEquals(1, picker.pick());
        }
        picker.finished(0);
        picker.started(1);
        assertEquals(0, picker.pick());
    }

    @Test
    void anotherEndpointIsTriedUpToThreeAttemptsAndNeverMoreThanTheClusterHas() {
        EndpointPicker single = new EndpointPicker(1, LoadBalancerPolicy.ROUND_ROBIN, TEN_SECONDS);
        assertFalse(single.mayTryAnother(1));
        EndpointPicker pair = new EndpointPicker(2, LoadBalancerPolicy.ROUND_ROBIN, TEN_SECONDS);
        assertTrue(pair.mayTryAnother(1));
        assertFalse(pair.mayTryAnother(2));
        EndpointPicker many = new EndpointPicker(5, LoadBalancerPolicy.ROUND_ROBIN, TEN_SECONDS);
        assertTrue(many.mayTryAnother(2));
        assertFalse(many.mayTryAnother(3));
    }
}
