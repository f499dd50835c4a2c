package dev.isthmus.perf.profile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class CollapsedStacksTest {

    @Test
    void summarisesSelfTimeAndLayers() {
        CollapsedStacks stacks = CollapsedStacks.parse(List.of(
                "java/lang/Thread.run;dev/isthmus/reactor/EpollReactor.runOnce;do_epoll_wait_[k] 6",
                "java/lang/Thread.run;dev/isthmus/reactor/EpollReactor.dispatch 3",
                "C2Compiler::compile_method 1",
                ""));
        assertEquals(10, stacks.total());
        String top = stacks.topSelf(2);
        assertTrue(top.startsWith("   60.0%  do_epoll_wait_[k]"), top);
        assertTrue(top.contains("30.0%  dev/isthmus/reactor/EpollReactor.dispatch"), top);
        assertTrue(stacks.layers().contains("kernel 60.0%, Java 30.0%, JVM runtime and native libraries 10.0% of 10"),
                stacks.layers());
    }

    @Test
    void rejectsLinesWithoutACount() {
        assertThrows(IllegalArgumentException.class, () -> CollapsedStacks.parse(List.of("a;b;c")));
        assertThrows(NumberFormatException.class, () -> CollapsedStacks.parse(List.of("a;b c")));
    }
}
