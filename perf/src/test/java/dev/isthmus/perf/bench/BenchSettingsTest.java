package dev.isthmus.perf.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class BenchSettingsTest {

    @Test
    void emptyValuesFromTheMakefileMeanDefaults() {
        BenchSettings settings = BenchSettings.parse(new String[] {"--duration", "", "--rounds", "", "--quick", "",
                "--targets", "", "--loadgen", ""});
        assertEquals(Duration.ofSeconds(6), settings.duration());
        assertEquals(3, settings.rounds());
        assertEquals(10_000, settings.idleConnections());
        assertEquals(List.of(Target.DIRECT, Target.ISTHMUS, Target.NGINX, Target.HAPROXY), settings.targets());
        assertEquals(BenchSettings.LoadToolKind.ISTHMUS, settings.loadTool());
        assertFalse(settings.quick());
    }

    @Test
    void quickModeShortensEverythingButExplicitValuesWin() {
        BenchSettings settings = BenchSettings.parse(new String[] {"--quick", "1", "--rounds", "2",
                "--loadgen", "wrk", "--targets", "direct,isthmus", "--workers", "2"});
        assertTrue(settings.quick());
        assertEquals(Duration.ofSeconds(2), settings.duration());
        assertEquals(2, settings.rounds());
        assertEquals(1_000, settings.idleConnections());
        assertEquals(2, settings.workers());
        assertEquals(BenchSettings.LoadToolKind.WRK, settings.loadTool());
        assertEquals(List.of(Target.DIRECT, Target.ISTHMUS), settings.targets());
    }

    @Test
    void tcpModeHoldsHalfTheIdleClientsBecauseEachAlsoHoldsAnUpstreamConnection() {
        assertEquals(5_000, BenchSettings.parse(new String[] {"--isthmus-mode", "tcp"}).idleConnections());
        assertEquals(500, BenchSettings.parse(new String[] {"--isthmus-mode", "tcp", "--quick", "1"}).idleConnections());
        assertEquals(8_000, BenchSettings.parse(new String[] {"--isthmus-mode", "tcp", "--idle-connections", "8000"})
                .idleConnections());
    }

    @Test
    void splitCpusGiveTheProxiesTheLastCpusAndEverythingElseTheRest() {
        CpuLayout split = CpuLayout.parse("split", 4, 1);
        assertEquals(List.of("taskset", "-c", "3", "haproxy"), split.proxy(List.of("haproxy")));
        assertEquals(List.of("taskset", "-c", "0-2", "wrk"), split.load(List.of("wrk")));
        CpuLayout twoWorkers = CpuLayout.parse("split", 4, 2);
        assertEquals("2-3", twoWorkers.proxyCpus());
        assertEquals("0-1", twoWorkers.loadCpus());
        assertEquals(List.of("wrk"), CpuLayout.SHARED.load(List.of("wrk")));
        assertEquals(CpuLayout.SHARED, BenchSettings.parse(new String[] {"--cpus", ""}).cpus());
        assertThrows(IllegalArgumentException.class, () -> CpuLayout.parse("split", 2, 2));
        assertThrows(IllegalArgumentException.class, () -> CpuLayout.parse("pinned", 2, 1));
    }

    @Test
    void mistakesAreClearErrors() {
        assertThrows(IllegalArgumentException.class, () -> BenchSettings.parse(new String[] {"--targets", "envoy"}));
        assertThrows(IllegalArgumentException.class, () -> BenchSettings.parse(new String[] {"--rounds", "0"}));
        assertThrows(IllegalArgumentException.class, () -> BenchSettings.parse(new String[] {"--duration", "soon"}));
        assertThrows(IllegalArgumentException.class, () -> BenchSettings.parse(new String[] {"--colour", "red"}));
        assertThrows(IllegalArgumentException.class, () -> BenchSettings.parse(new String[] {"--isthmus-mode", "udp"}));
    }

    @Test
    void everyTemplateRendersCompletely() {
        Map<String, String> values = Map.of("workers", "1", "dir", "/tmp/bench", "port", "8080", "origin_port", "9000");
        for (String name : List.of("nginx-origin.conf", "nginx-proxy.conf", "haproxy.cfg")) {
            String text = ConfigTemplate.load(name).render(values);
            assertFalse(text.contains("${"), name);
            assertTrue(text.contains("127.0.0.1:8080"), name);
        }
        assertThrows(IllegalArgumentException.class, () -> ConfigTemplate.load("haproxy.cfg").render(Map.of()));
    }
}
