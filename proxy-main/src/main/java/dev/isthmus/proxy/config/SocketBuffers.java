package dev.isthmus.proxy.config;

/**
 * Fixed kernel buffer sizes for a listener's accepted sockets or a cluster's upstream sockets (SO_SNDBUF, SO_RCVBUF).
 * Zero keeps the kernel's default, which autotunes each connection up to net.ipv4.tcp_wmem / tcp_rmem; a fixed size
 * turns that off, so it is for bounding the memory many slow peers can pin, or for matching a known path.
 *
 * @param sendBytes    SO_SNDBUF, or 0 for the kernel's default
 * @param receiveBytes SO_RCVBUF, or 0 for the kernel's default
 */
public record SocketBuffers(int sendBytes, int receiveBytes) {
    public static final SocketBuffers KERNEL_DEFAULT = new SocketBuffers(0, 0);
    /** Linux raises smaller requests to its own minimum (about 4.6 KiB once doubled), so a smaller value would lie. */
    public static final int MIN_BYTES = 4096;
    /** Linux caps the doubled value at INT_MAX; the usual net.core caps are far lower. */
    public static final int MAX_BYTES = 256 << 20;

    public SocketBuffers {
        if (sendBytes < 0 || receiveBytes < 0) {
            throw new IllegalArgumentException("socket buffer sizes are 0 (kernel default) or positive");
        }
    }
}
