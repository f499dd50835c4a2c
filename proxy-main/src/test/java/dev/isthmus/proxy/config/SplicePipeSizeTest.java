package dev.isthmus.proxy.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SplicePipeSizeTest {

    @Test
    void autoTakesTheKernelsPipeUnderBbrAndAQuarterMebibyteOtherwise() {
        assertEquals(64 * 1024, SplicePipeSize.forCongestionControl("bbr"));
        assertEquals(64 * 1024, SplicePipeSize.forCongestionControl("bbr3"));
        assertEquals(256 * 1024, SplicePipeSize.forCongestionControl("cubic"));
        assertEquals(256 * 1024, SplicePipeSize.forCongestionControl("reno"));
        assertEquals(64 * 1024, SplicePipeSize.forCongestionControl(""), "unknown: the kernel's own size");
    }

    @Test
    void anExplicitSizeIsTakenAsItIs() {
        assertEquals(128 * 1024, new SplicePipeSize(128 * 1024).resolve());
        assertEquals("131072", new SplicePipeSize(128 * 1024).toString());
        assertEquals("auto", SplicePipeSize.AUTO.toString());
    }

    @Test
    void sizesOutsideWhatAPipeCanHoldAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SplicePipeSize(1024));
        assertThrows(IllegalArgumentException.class, () -> new SplicePipeSize(2 * 1024 * 1024));
    }
}
