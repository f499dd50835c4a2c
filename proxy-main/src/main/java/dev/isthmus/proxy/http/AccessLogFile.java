package dev.isthmus.proxy.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One http listener's access log file, shared by all its reactors. Opened for appending once, before any reactor
 * serves the listener; each reactor hands it whole lines at a time, and a channel in append mode writes each buffer
 * with one {@code write(2)} under its own lock, so lines of different reactors never interleave. {@link #reopen} (on
 * SIGUSR1, after a log rotator renamed the file away) swaps in a new file at the same path; the reactors see it at
 * their next append.
 */
public final class AccessLogFile implements AutoCloseable {
    private final Path path;
    /** Written by the thread that reopens, read by every reactor at each append. */
    private volatile FileChannel channel;

    private AccessLogFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Opens {@code path} for appending, creating it if needed; IOException names the path and the reason. */
    public static AccessLogFile open(Path path) throws IOException {
        return new AccessLogFile(path, openForAppending(path));
    }

    private static FileChannel openForAppending(Path path) throws IOException {
        try {
            return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IOException("access log " + path + ": cannot open for appending: " + reason(e), e);
        }
    }

    private static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException missing -> "its directory does not exist";
            case AccessDeniedException denied -> "permission denied";
            case FileSystemException other when other.getReason() != null -> other.getReason();
            default -> String.valueOf(e.getMessage());
        };
    }

    Path path() {
        return path;
    }

    /**
     * Opens the path again, creating the file, and appends there from now on. Returns the file it replaces, still
     * open: a reactor may be in the middle of a write to it until it has run a task posted after this call, so the
     * caller closes it only then. On failure nothing changes.
     */
    public FileChannel reopen() throws IOException {
        FileChannel fresh = openForAppending(path);
        FileChannel replaced = channel;
        channel = fresh;
        return replaced;
    }

    /** Appends what {@code lines} holds between its position and limit. */
    void append(ByteBuffer lines) throws IOException {
        FileChannel current = channel;
        while (lines.hasRemaining()) {
            current.write(lines);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
