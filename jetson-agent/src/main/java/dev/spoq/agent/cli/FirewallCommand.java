package dev.spoq.agent.cli;

import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.hardening.FirewallRules;
import dev.spoq.agent.util.CommandRunner;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "firewall",
    mixinStandardHelpOptions = true,
    description = {
      "Print the Jetson's iptables rules (iptables-restore input);",
      "with --apply, load them (own chains, idempotent) and hook them into INPUT/FORWARD."
    })
final class FirewallCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Option(names = "--apply", description = "Load the rules now.")
  boolean apply;

  @Option(names = "--ssh-port", description = "SSH port (default 22).")
  int sshPort = 22;

  /** Every port the UPnP port search may move WireGuard to. */
  static List<Integer> upnpPorts(AgentConfig config) {
    List<Integer> ports = new java.util.ArrayList<>();
    ports.add(config.upnpExternalPort());
    ports.addAll(config.upnpAlternativePorts());
    return ports;
  }

  @Override
  public Integer call() {
    AgentConfig config = common.config();
    String rules =
        FirewallRules.render(
            config.wgInterface(),
            config.wgListenPort(),
            config.upnpEnabled() ? upnpPorts(config) : List.of(),
            sshPort,
            config.statusPort());
    if (!apply) {
      System.out.print(rules);
      return 0;
    }
    CommandRunner runner = new CommandRunner();
    CommandRunner.Result r =
        runner.run(List.of("iptables-restore", "--noflush", "-w"), Map.of(), rules);
    if (!r.ok()) {
      throw new SpoqCli.CliFailure("iptables-restore failed: " + r.describe(), 1);
    }
    for (String[] hook :
        new String[][] {
          {"INPUT", FirewallRules.INPUT_CHAIN}, {"FORWARD", FirewallRules.FORWARD_CHAIN}
        }) {
      if (!runner.run(List.of("iptables", "-w", "-C", hook[0], "-j", hook[1])).ok()) {
        runner.require(List.of("iptables", "-w", "-I", hook[0], "1", "-j", hook[1]));
      }
    }
    System.out.println(
        "Firewall applied (chains "
            + FirewallRules.INPUT_CHAIN
            + ", "
            + FirewallRules.FORWARD_CHAIN
            + ")");
    return 0;
  }
}
