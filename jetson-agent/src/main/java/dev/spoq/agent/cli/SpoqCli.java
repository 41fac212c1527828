package dev.spoq.agent.cli;

import dev.spoq.agent.config.ConfigException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code spoq} command line. */
@Command(
    name = "spoq",
    mixinStandardHelpOptions = true,
    version = "spoq 0.1.0",
    description = "Spoq Jetson agent: WireGuard, UPnP, dynamic DNS, relay failover and status.",
    subcommands = {
      EnrollCommand.class,
      RunCommand.class,
      DeviceCommand.class,
      NetworkCommand.class,
      FirewallCommand.class,
      SshdConfigCommand.class,
      CommandLine.HelpCommand.class
    })
public final class SpoqCli implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Logging.configure(args);
    System.exit(execute(args));
  }

  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new SpoqCli());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof ConfigException) {
            commandLine.getErr().println("spoq: " + e.getMessage());
            return ConfigException.EXIT_CODE;
          }
          if (e instanceof CliFailure f) {
            commandLine.getErr().println("spoq: " + f.getMessage());
            return f.exitCode();
          }
          commandLine
              .getErr()
              .println("spoq: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
          return 1;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return 0;
  }

  /** A command failed in a way the user can act on; printed without a stack trace. */
  static final class CliFailure extends RuntimeException {
    private final int exitCode;

    CliFailure(String message, int exitCode) {
      super(message);
      this.exitCode = exitCode;
    }

    int exitCode() {
      return exitCode;
    }
  }
}
