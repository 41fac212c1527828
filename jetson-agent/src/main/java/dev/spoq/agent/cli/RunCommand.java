package dev.spoq.agent.cli;

import dev.spoq.agent.Agent;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the agent daemon (what the systemd unit starts).",
      "Brings WireGuard up, keeps peers in sync, maps the UPnP port, updates DNS,",
      "supervises frpc, fails over to the relay and back, serves GET /api/device/status."
    })
final class RunCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Override
  public Integer call() throws Exception {
    Agent agent = new Agent(common.config());
    Thread hook = new Thread(agent::close, "agent-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    agent.start();
    agent.awaitShutdown();
    return 0;
  }
}
