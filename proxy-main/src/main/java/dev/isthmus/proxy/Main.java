package dev.isthmus.proxy;

import dev.isthmus.proxy.cli.Cli;
import dev.isthmus.proxy.config.HostResolver;
import dev.isthmus.proxy.server.ProxyServer;

import java.time.ZonedDateTime;
import java.util.Locale;

/** The jar's entry point: the command line, then the proxy runtime, then the exit code. */
public final class Main {
    /** JUL's SimpleFormatter key; System.Logger goes to java.util.logging when no other backend is present. */
    private static final String LOG_FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";
    /** One line per event: UTC timestamp, level, logger, message, then any stack trace. */
    private static final String LOG_FORMAT = "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n";

    private Main() {
    }

    public static void main(String[] args) {
        if (System.getProperty(LOG_FORMAT_PROPERTY) == null) {
            System.setProperty("user.timezone", "UTC");
            System.setProperty(LOG_FORMAT_PROPERTY, LOG_FORMAT);
        }
        // The first timestamp loads the JDK's time-zone data from a file. Done lazily, that first load can come when
        // the process is out of descriptors (the very moment it logs EMFILE), fail, and leave the class unusable:
        // load it now, while opening a file cannot fail for that reason.
        String.format(Locale.ROOT, LOG_FORMAT, ZonedDateTime.now(), "", "", "", "", "");
        System.exit(run(args));
    }

    /** Everything {@link #main} does except exiting the JVM; returns the exit code. */
    public static int run(String... args) {
        return new Cli(System.out, System.err, ProxyServer::run, HostResolver.SYSTEM).execute(args);
    }
}
