package dev.isthmus.proxy;

import dev.isthmus.proxy.cli.Cli;
import dev.isthmus.proxy.config.HostResolver;
import dev.isthmus.proxy.server.ProxyServer;

/** The jar's entry point: the command line, then the proxy runtime, then the exit code. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Everything {@link #main} does except exiting the JVM; returns the exit code. */
    public static int run(String... args) {
        return new Cli(System.out, System.err, ProxyServer::run, HostResolver.SYSTEM).execute(args);
    }
}
