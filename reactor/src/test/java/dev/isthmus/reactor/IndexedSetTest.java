package dev.isthmus.reactor;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class IndexedSetTest {
    private static final class Connection implements IndexedSet.Member {
        private final int id;
        private int index = IndexedSet.ABSENT;

        Connection(int id) {
            this.id = id;
        }

        @Override
        public int memberIndex() {
            return index;
        }

        @Override
        public void memberIndex(int index) {
            this.index = index;
        }
    }

    @Test
    void removingFromTheMiddleKeepsEveryOtherMemberAndGrowsPastTheFirstCapacity() {
        IndexedSet<Connection> set = new IndexedSet<>();
        List<Connection> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Connection c = new Connection(i);
            all.add(c);
            set.add(c);
        }
        for (int i = 0; i < 200; i += 3) {
            assertTrue(set.remove(all.get(i)));
            assertEquals(IndexedSet.ABSENT, all.get(i).memberIndex());
        }
        Set<Integer> left = new HashSet<>();
        set.forEachPresent(c -> left.add(c.id));
        Set<Integer> expected = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            if (i % 3 != 0) {
                expected.add(i);
            }
        }
        assertEquals(expected, left);
        assertEquals(expected.size(), set.size());
    }

    @Test
    void removingTwiceOrRemovingAStrangerChangesNothing() {
        IndexedSet<Connection> set = new IndexedSet<>();
        IndexedSet<Connection> other = new IndexedSet<>();
        Connection a = new Connection(1);
        Connection b = new Connection(2);
        set.add(a);
        other.add(b);
        assertFalse(set.remove(b), "b is at index 0 of another set, as a is here");
        assertTrue(set.remove(a));
        assertFalse(set.remove(a));
        assertEquals(0, set.size());
        assertEquals(1, other.size());
        assertThrows(IllegalStateException.class, () -> set.add(b));
    }

    @Test
    void anActionMayRemoveWhatItVisits() {
        IndexedSet<Connection> set = new IndexedSet<>();
        for (int i = 0; i < 10; i++) {
            set.add(new Connection(i));
        }
        List<Integer> visited = new ArrayList<>();
        set.forEachPresent(c -> {
            visited.add(c.id);
            set.remove(c);
        });
        assertEquals(10, visited.size());
        assertEquals(0, set.size());
    }
}
