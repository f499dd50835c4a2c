package dev.isthmus.proxy.http;

import dev.isthmus.bindings.Syscalls;
import dev.isthmus.http1.ChunkedDecoder;
import dev.isthmus.http1.Http1Limits;
import dev.isthmus.reactor.PipePool;

import java.util.ArrayDeque;

/**
 * The {@link BodyTransfer}s of one HTTP listener's connections on one reactor. An exchange takes one for each body
 * it moves and gives them back when it ends, so an idle keep-alive connection holds none (a transfer with its
 * splice forwarder and chunked decoder is 288 bytes) and a busy one allocates none: the pool grows to the most bodies
 * ever in flight at once. Confined to the reactor thread.
 */
final class TransferPool {
    private final Syscalls sys;
    private final PipePool pipes;
    private final Http1Limits codecLimits;
    private final ArrayDeque<BodyTransfer> idle = new ArrayDeque<>();

    TransferPool(Syscalls sys, PipePool pipes, Http1Limits codecLimits) {
        this.sys = sys;
        this.pipes = pipes;
        this.codecLimits = codecLimits;
    }

    BodyTransfer acquire() {
        BodyTransfer transfer = idle.pollLast();
        return transfer != null ? transfer : new BodyTransfer(sys, pipes, new ChunkedDecoder(codecLimits));
    }

    /** Stops {@code transfer} (its pipe goes back to the reactor's pool) and keeps it for the next exchange. */
    void release(BodyTransfer transfer) {
        transfer.release();
        idle.addLast(transfer);
    }
}
