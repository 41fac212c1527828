package dev.spoq.localstack;

import java.nio.file.Path;
import java.time.Duration;

/** Command-line options of the local control plane. */
record LocalStackOptions(
    Path repoRoot,
    Path stateDir,
    int registryPort,
    int postgresPort,
    Duration startTimeout,
    boolean help) {

  static final String USAGE =
      """
      Usage: scripts/run-control-plane.sh [options]

      Runs every control-plane service (device-registry, dns-api, relay-coordinator, jump-router)
      from its built jar, all sharing one embedded PostgreSQL, plus one relay-server on loopback
      (UDP 51820/51821, registered as spoq relay "local-1"), and prints where each listens.
      Stop with Ctrl-C; data and secrets persist in the state directory between runs.

      Options:
        --state-dir DIR       where PostgreSQL data, secrets, host keys and logs live (default .run-state)
        --base-port N         HTTP port of the registry; the others follow (+1 .. +4) (default 8081)
        --postgres-port N     port of the embedded PostgreSQL (default 54329)
        --start-timeout SECS  how long each service may take to become healthy (default 120)
        --repo-root DIR       checkout holding the built jars (default: current directory)
        -h, --help            show this help
      """;

  static LocalStackOptions parse(String[] args) {
    Path root = Path.of("").toAbsolutePath();
    Path state = null;
    int basePort = 8081;
    int pgPort = 54329;
    Duration timeout = Duration.ofSeconds(120);
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "-h", "--help" -> help = true;
        case "--state-dir" -> state = Path.of(value(args, ++i, arg));
        case "--base-port" -> basePort = port(value(args, ++i, arg), arg);
        case "--postgres-port" -> pgPort = port(value(args, ++i, arg), arg);
        case "--repo-root" -> root = Path.of(value(args, ++i, arg)).toAbsolutePath();
        case "--start-timeout" -> timeout = Duration.ofSeconds(port(value(args, ++i, arg), arg));
        default -> throw new IllegalArgumentException("unknown option '" + arg + "' (see --help)");
      }
    }
    Path stateDir = (state != null ? state : root.resolve(".run-state")).toAbsolutePath();
    return new LocalStackOptions(root, stateDir, basePort, pgPort, timeout, help);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value (see --help)");
    }
    return args[i];
  }

  private static int port(String text, String option) {
    try {
      int n = Integer.parseInt(text);
      if (n < 1 || n > 65535) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " takes a number from 1 to 65535");
    }
  }
}
