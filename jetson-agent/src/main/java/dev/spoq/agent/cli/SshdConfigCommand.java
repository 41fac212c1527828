package dev.spoq.agent.cli;

import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.hardening.SshdConfig;
import dev.spoq.agent.registry.ControlPlaneException;
import dev.spoq.agent.registry.RegistryApi;
import dev.spoq.agent.state.Secrets;
import dev.spoq.agent.util.CommandRunner;
import dev.spoq.agent.util.SecureFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "sshd-config",
    mixinStandardHelpOptions = true,
    description = {
      "Print the sshd hardening drop-in (ListenAddress on WireGuard, keys only, no root,",
      "AllowUsers from the registry); with --apply, install it after 'sshd -t' accepts it."
    })
final class SshdConfigCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Option(names = "--apply", description = "Install the drop-in and reload sshd.")
  boolean apply;

  @Option(
      names = "--user",
      description = "AllowUsers entry (repeatable); default: from the registry.")
  List<String> users = new ArrayList<>();

  @Option(names = "--output", description = "Drop-in path (default ${DEFAULT-VALUE}).")
  Path output = Path.of(SshdConfig.DEFAULT_PATH);

  @Override
  public Integer call() {
    AgentConfig config = common.config();
    List<String> allow = new ArrayList<>(users);
    if (allow.isEmpty()) {
      try {
        allow.addAll(
            new RegistryApi(config.registryUrl(), config.httpTimeout())
                .sshUsers(Secrets.requireToken(config.tokenFile())));
      } catch (ControlPlaneException e) {
        throw new SpoqCli.CliFailure(
            "cannot read AllowUsers from the registry (" + e.getMessage() + "); pass --user", 69);
      }
    }
    String text;
    try {
      text = SshdConfig.render(config.wgHostAddress(), allow);
    } catch (IllegalArgumentException e) {
      throw new SpoqCli.CliFailure(e.getMessage(), 65);
    }
    if (!apply) {
      System.out.print(text);
      return 0;
    }
    Path previous = null;
    try {
      if (Files.exists(output)) {
        previous = Files.createTempFile("spoq-sshd", ".bak");
        Files.copy(output, previous, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      SecureFiles.write(output, text, false);
      CommandRunner runner = new CommandRunner();
      CommandRunner.Result check = runner.run(List.of("sshd", "-t"));
      if (!check.ok()) {
        if (previous != null) {
          Files.copy(previous, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } else {
          Files.deleteIfExists(output);
        }
        throw new SpoqCli.CliFailure(
            "sshd -t rejected the config; left unchanged: " + check.describe(), 1);
      }
      CommandRunner.Result reload = runner.run(List.of("systemctl", "reload", "ssh"));
      System.out.println(
          "Installed " + output + (reload.ok() ? "; sshd reloaded" : "; reload sshd to apply"));
      return 0;
    } catch (java.io.IOException e) {
      throw new SpoqCli.CliFailure("cannot install " + output + ": " + e.getMessage(), 1);
    } finally {
      if (previous != null) {
        try {
          Files.deleteIfExists(previous);
        } catch (java.io.IOException ignored) {
          // temp file
        }
      }
    }
  }
}
