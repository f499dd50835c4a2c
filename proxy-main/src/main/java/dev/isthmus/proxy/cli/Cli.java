package dev.isthmus.proxy.cli;

import dev.isthmus.proxy.config.AdminConfig;
import dev.isthmus.proxy.config.ConfigError;
import dev.isthmus.proxy.config.ConfigException;
import dev.isthmus.proxy.config.ConfigLoader;
import dev.isthmus.proxy.config.ConfigSource;
import dev.isthmus.proxy.config.HostPort;
import dev.isthmus.proxy.config.HostPort.PortRule;
import dev.isthmus.proxy.config.HostResolver;
import dev.isthmus.proxy.config.Protocol;
import dev.isthmus.proxy.config.ProxyConfig;
import dev.isthmus.proxy.config.Workers;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The command line, run once on the main thread: parses flags, builds and validates a {@link ProxyConfig},
 * and hands it to the runtime.
 * Every outcome is an exit code, never an exception: 0 ok, 2 bad usage or invalid config, 1 runtime failure.
 */
public final class Cli {

    public static final int EXIT_OK = 0;
    public static final int EXIT_RUNTIME_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    private static final String PROGRAM = "isthmus: ";

    private final PrintStream out;
    private final PrintStream err;
    private final ProxyRuntime runtime;
    private final HostResolver resolver;

    public Cli(PrintStream out, PrintStream err, ProxyRuntime runtime, HostResolver resolver) {
        this.out = out;
        this.err = err;
        this.runtime = runtime;
        this.resolver = resolver;
    }

    /** Runs the command line {@code args}; returns the process exit code. */
    public int execute(String... args) {
        IsthmusCommand command = new IsthmusCommand();
        CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        try {
            commandLine.parseArgs(args);
        } catch (ParameterException e) {
            return usageError(commandLine, e.getMessage());
        }
        if (commandLine.isUsageHelpRequested()) {
            commandLine.usage(out);
            return EXIT_OK;
        }
        if (commandLine.isVersionHelpRequested()) {
            commandLine.printVersionHelp(out);
            return EXIT_OK;
        }
        String misuse = misuse(command);
        if (misuse != null) {
            return usageError(commandLine, misuse);
        }
        String source = command.config != null ? command.config.toString() : FlagConfig.SOURCE;
        ProxyConfig config;
        try {
            config = command.config != null ? fromFile(command) : fromFlags(command);
        } catch (ConfigException e) {
            for (ConfigError error : e.errors()) {
                err.println(error);
            }
            return EXIT_USAGE;
        } catch (IOException e) {
            err.println(PROGRAM + "cannot read config " + source + ": " + describe(e));
            return EXIT_USAGE;
        }
        if (command.validate) {
            out.println(source + ": valid");
            return EXIT_OK;
        }
        try {
            return runtime.run(config, command.config != null ? Optional.of(fileSource(command)) : Optional.empty());
        } catch (RuntimeException e) {
            err.println(PROGRAM + "runtime failure: " + e);
            return EXIT_RUNTIME_FAILURE;
        }
    }

    /** The reason the flags make no sense together, or {@code null} when they do. */
    private static String misuse(IsthmusCommand command) {
        boolean flagMode = command.listen != null || command.upstream != null;
        if (command.config != null && flagMode) {
            return "--config and --listen/--upstream are mutually exclusive";
        }
        if (command.config == null && !flagMode) {
            return "give --config FILE, or --listen HOST:PORT with --upstream HOST:PORT[,HOST:PORT...]";
        }
        if (command.config != null && command.mode != null) {
            return "--mode applies only with --listen/--upstream (a config file names the protocol per listener)";
        }
        if (flagMode && command.listen == null) {
            return "--upstream needs --listen";
        }
        if (flagMode && command.upstream == null) {
            return "--listen needs --upstream";
        }
        return null;
    }

    private ProxyConfig fromFile(IsthmusCommand command) throws IOException, ConfigException {
        ProxyConfig loaded = new ConfigLoader(resolver).load(command.config);
        Workers workers = command.workers != null ? command.workers : loaded.workers();
        Optional<AdminConfig> admin = loaded.admin();
        if (command.admin != null) {
            try {
                admin = Optional.of(new AdminConfig(HostPort.parse(command.admin, PortRule.ALLOW_ANY_PORT, resolver)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(new ConfigError(FlagConfig.SOURCE, 0, "--admin", e.getMessage()));
            }
        }
        return loaded.with(workers, admin);
    }

    /** The config file, read again as at start (with the command line's overrides) whenever a reload asks. */
    private ConfigSource fileSource(IsthmusCommand command) {
        return new ConfigSource() {
            @Override
            public String name() {
                return command.config.toString();
            }

            @Override
            public ProxyConfig load() throws IOException, ConfigException {
                return fromFile(command);
            }
        };
    }

    private ProxyConfig fromFlags(IsthmusCommand command) throws ConfigException {
        Protocol mode = command.mode != null ? command.mode : Protocol.HTTP;
        Workers workers = command.workers != null ? command.workers : Workers.AUTO;
        return FlagConfig.build(command.listen, command.upstream, mode, workers, command.admin, resolver);
    }

    private int usageError(CommandLine commandLine, String message) {
        err.println(PROGRAM + message);
        commandLine.usage(err);
        return EXIT_USAGE;
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        return e.getMessage();
    }
}
