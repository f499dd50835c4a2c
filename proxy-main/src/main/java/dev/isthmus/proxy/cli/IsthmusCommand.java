package dev.isthmus.proxy.cli;

import dev.isthmus.proxy.config.Protocol;
import dev.isthmus.proxy.config.Workers;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command-line options, as picocli fills them in; {@link Cli} gives them meaning. */
@Command(
        name = "isthmus",
        versionProvider = VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "An HTTP/1.1 and TCP reverse proxy for Linux.",
            "Run it from a YAML config (--config), or from flags (--listen with --upstream).",
        },
        footer = {
            "",
            "Signals: SIGTERM or SIGINT drains (stop accepting, finish in-flight requests, exit 0); "
                    + "SIGHUP reloads the config file (routes, clusters, listeners, timeouts); "
                    + "SIGUSR1 reopens the access logs.",
            "",
            "Exit status: 0 clean shutdown or valid config, 2 bad usage or invalid config, 1 runtime failure.",
        })
final class IsthmusCommand {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML config file (see docs/config.md).")
    Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address to listen on (flag mode).")
    String listen;

    @Option(names = "--upstream", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Upstream endpoints, comma-separated (flag mode).")
    String upstream;

    @Option(names = "--mode", paramLabel = "http|tcp", converter = ModeConverter.class,
            description = "Proxy HTTP/1.1 requests or raw TCP connections (flag mode; default: http).")
    Protocol mode;

    @Option(names = "--workers", paramLabel = "N|auto", converter = WorkersConverter.class,
            description = "Reactor threads (default: auto, one per processor; overrides the config file).")
    Workers workers;

    @Option(names = "--admin", paramLabel = "HOST:PORT",
            description = "Admin endpoint address (overrides the config file).")
    String admin;

    @Option(names = "--validate", description = "Check the config, print FILE: valid or its errors, and exit.")
    boolean validate;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Show the version and exit.")
    boolean version;
}
