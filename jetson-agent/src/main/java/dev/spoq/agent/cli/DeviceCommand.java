package dev.spoq.agent.cli;

import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.registry.ControlPlaneException;
import dev.spoq.agent.registry.RegistryApi;
import dev.spoq.agent.state.AgentState;
import dev.spoq.agent.state.Secrets;
import dev.spoq.agent.tui.TerminalQr;
import dev.spoq.common.ipplan.WireGuardAddressPlan;
import dev.spoq.common.wireguard.X25519;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "device",
    mixinStandardHelpOptions = true,
    description = "Manage client devices of this Jetson.",
    subcommands = DeviceCommand.Add.class)
final class DeviceCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return 0;
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Add a phone or laptop: makes its key pair HERE, registers only the public key,",
        "prints the complete WireGuard config once as a QR code, then forgets the private key."
      })
  static final class Add implements Callable<Integer> {

    @Mixin CommonOptions common;

    @Parameters(paramLabel = "NAME", description = "Device name, e.g. alice-iphone.")
    String name;

    @Option(names = "--profile", required = true, description = "Profile number (1..24).")
    int profile;

    @Option(names = "--qr", description = "Print the config as a terminal QR code.")
    boolean qr;

    @Option(names = "--show-config", description = "Also print the config as text.")
    boolean showConfig;

    @Override
    public Integer call() {
      if (!WireGuardAddressPlan.isValidProfile(profile)) {
        throw new SpoqCli.CliFailure(
            "--profile must be 1.." + WireGuardAddressPlan.MAX_PROFILES, 64);
      }
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9 ._'-]{0,62}")) {
        throw new SpoqCli.CliFailure("device name: letters, digits, space . _ ' - (max 63)", 64);
      }
      if (!qr && !showConfig) {
        throw new SpoqCli.CliFailure(
            "choose --qr and/or --show-config: the private key is shown only now", 64);
      }
      AgentConfig config = common.config();
      AgentState state = AgentState.require(config.stateFile());
      String token = Secrets.requireToken(config.tokenFile());
      X25519.KeyPair device = X25519.generate();
      RegistryApi.DeviceRegistration reg;
      try {
        reg =
            new RegistryApi(config.registryUrl(), config.httpTimeout())
                .registerDevice(token, name, profile, device.publicKey().base64());
      } catch (ControlPlaneException e) {
        throw new SpoqCli.CliFailure("could not register the device: " + e.getMessage(), 69);
      }
      String address = reg.address().contains("/") ? reg.address() : reg.address() + "/32";
      String endpoint =
          reg.endpoint() != null ? reg.endpoint() : state.fqdn() + ":" + state.listenPort();
      int mapped = mappedExternalPort(config);
      if (mapped > 0 && endpoint.contains(":")) {
        // UPnP had to use another external port (error 718): clients must dial that one.
        endpoint = endpoint.substring(0, endpoint.lastIndexOf(':') + 1) + mapped;
      }
      String text =
          String.join(
              "\n",
              "[Interface]",
              "PrivateKey = " + device.privateKey().base64(),
              "Address = " + address,
              "DNS = " + config.wgHostAddress(),
              "",
              "[Peer]",
              "PublicKey = " + state.publicKey(),
              "AllowedIPs = " + WireGuardAddressPlan.NETWORK,
              "Endpoint = " + endpoint,
              "PersistentKeepalive = 25",
              "");
      System.out.println(
          "Registered " + reg.name() + " (profile " + reg.profile() + ") at " + address);
      if (qr) {
        System.out.println(
            "Scan with the WireGuard app (shown once; the private key is not kept):");
        System.out.print(TerminalQr.render(text));
      }
      if (showConfig) {
        System.out.println(text);
      }
      System.out.println("The Jetson picks the new peer up within its peer-sync interval.");
      return 0;
    }

    /** The external port of the live UPnP mapping, from the daemon's last status; 0 if none. */
    static int mappedExternalPort(AgentConfig config) {
      try {
        var status = dev.spoq.agent.util.Json.MAPPER.readTree(config.runtimeStatusFile().toFile());
        var upnp = status.path("upnp");
        return "active".equals(upnp.path("status").asString())
            ? upnp.path("external_port").asInt(0)
            : 0;
      } catch (RuntimeException e) {
        return 0;
      }
    }
  }
}
