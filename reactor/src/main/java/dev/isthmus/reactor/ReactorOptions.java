package dev.isthmus.reactor;

/**
 * Sizing of one reactor.
 *
 * @param maxEventsPerWait epoll events read per {@code epoll_wait}
 * @param maxTasksPerCycle cross-thread tasks, and as many deferred handlers, run per loop iteration, so a flood of
 *                         posts or deferrals cannot starve I/O
 * @param chunkSize        bytes per off-heap buffer chunk
 * @param maxChunks        chunks the reactor may hold at once (its buffer memory bound)
 * @param pipeSize         requested capacity of each splice pipe; the default is the kernel's own, 64 KiB
 * @param maxIdlePipes     drained pipes kept for reuse
 */
public record ReactorOptions(int maxEventsPerWait, int maxTasksPerCycle, int chunkSize, int maxChunks,
                             int pipeSize, int maxIdlePipes) {
    public static final ReactorOptions DEFAULTS =
            new ReactorOptions(1024, 1024, BufferPool.DEFAULT_CHUNK_SIZE, 65536, 64 * 1024, 1024);

    /** These options with another splice pipe capacity. */
    public ReactorOptions withPipeSize(int bytes) {
        return new ReactorOptions(maxEventsPerWait, maxTasksPerCycle, chunkSize, maxChunks, bytes, maxIdlePipes);
    }
}
