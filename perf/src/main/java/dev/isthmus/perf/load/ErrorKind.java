package dev.isthmus.perf.load;

/** The kinds of failed request a load run counts separately, named as wrk names them so the two tools compare. */
public enum ErrorKind {
    /** The TCP connection could not be established. */
    CONNECT,
    /** Reading failed: reset, early close, or a response that does not parse. */
    READ,
    /** Writing the request failed. */
    WRITE,
    /** A response arrived with a status outside 2xx/3xx. */
    STATUS,
    /** A response did not complete within the request timeout. */
    TIMEOUT;

    /** The key used in result lines and JSON. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
