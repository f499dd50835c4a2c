package dev.isthmus.reactor;

/** The two ends of a kernel pipe used as the splice buffer between two sockets, and its granted capacity. */
public record Pipe(int readFd, int writeFd, int capacity) {
}
