package dev.spoq.agent.cli;

import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.registry.ControlPlaneException;
import dev.spoq.agent.registry.RegistryApi;
import dev.spoq.agent.state.AgentState;
import dev.spoq.agent.state.Secrets;
import dev.spoq.common.wireguard.X25519;
import java.net.InetAddress;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "enroll",
    mixinStandardHelpOptions = true,
    description = {
      "Enroll this Jetson with a one-time code from the web app.",
      "Generates the WireGuard key pair here (the private key never leaves the device),",
      "sends only the public key, and stores the device token (mode 0600).",
      "An existing key is reused, so re-enrolling keeps the Jetson's identity key."
    })
final class EnrollCommand implements Callable<Integer> {

  @Mixin CommonOptions common;

  @Parameters(paramLabel = "CODE", description = "The enrollment code (spoq_enr_...).")
  String code;

  @Option(names = "--hostname", description = "Name to register (default: this host's name).")
  String hostname;

  @Override
  public Integer call() throws Exception {
    AgentConfig config = common.config();
    String code = this.code.trim();
    if (!code.matches("[A-Za-z0-9_\\-]{8,100}")) {
      throw new SpoqCli.CliFailure("that does not look like an enrollment code", 64);
    }
    String host = hostname != null ? hostname : InetAddress.getLocalHost().getHostName();
    X25519.KeyPair keys = Secrets.loadOrCreateKey(config.privateKeyFile());
    RegistryApi.Enrollment e;
    try {
      e =
          new RegistryApi(config.registryUrl(), config.httpTimeout())
              .enroll(code, keys.publicKey().base64(), host);
    } catch (ControlPlaneException ex) {
      throw new SpoqCli.CliFailure("enrollment failed: " + ex.getMessage(), 69);
    }
    Secrets.saveToken(config.tokenFile(), e.deviceToken());
    new AgentState(
            e.jetsonId(),
            e.subdomain(),
            e.fqdn(),
            host,
            keys.publicKey().base64(),
            e.address(),
            e.listenPort(),
            Instant.now())
        .save(config.stateFile());
    System.out.println("Enrolled as " + e.fqdn() + " (Jetson " + e.jetsonId() + ")");
    System.out.println("WireGuard public key: " + keys.publicKey().base64());
    System.out.println("Private key: " + config.privateKeyFile() + " (0600, never uploaded)");
    System.out.println("Device token: " + config.tokenFile() + " (0600)");
    System.out.println("Next: systemctl enable --now spoq-agent");
    return 0;
  }
}
