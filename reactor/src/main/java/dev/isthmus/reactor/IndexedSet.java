package dev.isthmus.reactor;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The open connections (or sessions) of one worker: add and remove in O(1) without hashing, because each member
 * keeps its own index. A {@code HashSet} costs every idle connection a 32-byte node and an identity hash; here it
 * costs one int in the member. Removal moves the last member into the freed index. Confined to the reactor thread.
 */
public final class IndexedSet<T extends IndexedSet.Member> {
    /** Index a member holds while it is in no set. */
    public static final int ABSENT = -1;
    private static final int INITIAL_CAPACITY = 64;

    /** A member's index in the one set that holds it; {@link #ABSENT} while outside. */
    public interface Member {
        int memberIndex();

        void memberIndex(int index);
    }

    private Member[] members = new Member[INITIAL_CAPACITY];
    private int size;

    /** Adds a member that is in no set. */
    public void add(T member) {
        if (member.memberIndex() != ABSENT) {
            throw new IllegalStateException("already in a set at index " + member.memberIndex());
        }
        if (size == members.length) {
            members = Arrays.copyOf(members, size * 2);
        }
        members[size] = member;
        member.memberIndex(size);
        size++;
    }

    /** Removes {@code member}; false when this set does not hold it (removing twice is harmless). */
    public boolean remove(T member) {
        int index = member.memberIndex();
        if (index < 0 || index >= size || members[index] != member) {
            return false;
        }
        Member last = members[--size];
        members[index] = last;
        last.memberIndex(index);
        members[size] = null;
        member.memberIndex(ABSENT);
        return true;
    }

    public int size() {
        return size;
    }

    /**
     * Calls {@code action} on every member held when this is called, even one that an earlier call removed: the
     * action may remove members, its own or others, and must tolerate being called on one already gone.
     */
    @SuppressWarnings("unchecked")
    public void forEachPresent(Consumer<? super T> action) {
        Member[] present = Arrays.copyOf(members, size);
        for (Member member : present) {
            action.accept((T) member);
        }
    }
}
