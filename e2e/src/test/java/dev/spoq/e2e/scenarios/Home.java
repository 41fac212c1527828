package dev.spoq.e2e.scenarios;

import dev.spoq.e2e.harness.Bind;
import dev.spoq.e2e.harness.ControlPlane;
import dev.spoq.e2e.harness.EtcFiles;
import dev.spoq.e2e.harness.Jetson;
import dev.spoq.e2e.harness.MiniUpnpd;
import dev.spoq.e2e.harness.SshClient;
import dev.spoq.e2e.harness.Sshd;
import dev.spoq.e2e.harness.Stun;
import dev.spoq.e2e.harness.TlsProxy;
import dev.spoq.e2e.harness.Topology;
import dev.spoq.e2e.harness.Wait;
import dev.spoq.e2e.harness.WireGuardPeer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import tools.jackson.databind.JsonNode;

/**
 * Alice's Jetson product, set up the way a user would: an account, an enrollment code from the
 * registry API, {@code spoq enroll} and {@code spoq run} on the Jetson (with the agent's own
 * firewall and sshd hardening), and her phone registered as a device with a key made on the phone.
 */
final class Home {

  static final String USER = "alice";
  static final String JETSON_WG_IP = "10.100.0.1";

  final World world;
  final MiniUpnpd upnp;
  final Jetson jetson;
  final Sshd sshd;
  final SshClient aliceSsh;
  final WireGuardPeer phoneWg;
  final String jetsonId;
  final JsonNode clientConfig;
  final String firewallRules;

  private Home(
      World world,
      MiniUpnpd upnp,
      Jetson jetson,
      Sshd sshd,
      SshClient aliceSsh,
      WireGuardPeer phoneWg,
      String jetsonId,
      JsonNode clientConfig,
      String firewallRules) {
    this.world = world;
    this.upnp = upnp;
    this.jetson = jetson;
    this.sshd = sshd;
    this.aliceSsh = aliceSsh;
    this.phoneWg = phoneWg;
    this.jetsonId = jetsonId;
    this.clientConfig = clientConfig;
    this.firewallRules = firewallRules;
  }

  static Home setUp(World world) {
    Topology net = world.net;
    ControlPlane cp = world.controlPlane;
    net.own(new Stun(net.relay, Topology.RELAY_IP, world.work));
    // The home network's resolver answers for the product domain too.
    net.own(EtcFiles.resolver(net.jetson, Topology.DNS_IP));
    MiniUpnpd upnp =
        net.own(new MiniUpnpd(net.home, world.work, net.homeWanIf, net.homeLanIf, "192.168.1.0/24"))
            .start();

    world.createAccount(USER, "JETSON");
    String code =
        world
            .admin("POST", "/api/accounts/" + USER + "/enrollment-codes", null, 201)
            .get("code")
            .asString();

    // Like in production, the agent reaches the control plane through the TLS proxy.
    TlsProxy proxy = world.tlsProxy();
    Map<String, String> settings = fastSettings();
    Jetson jetson =
        net.own(
            new Jetson(
                net.jetson,
                world.work,
                settings,
                List.of(
                    "-Djavax.net.ssl.trustStore=" + proxy.javaTrustStore(),
                    "-Djavax.net.ssl.trustStorePassword=spoq-e2e",
                    "-Djavax.net.ssl.trustStoreType=PKCS12")));
    jetson.enroll(code);

    // The seed's firewall and sshd hardening, exactly as the agent generates and applies them.
    String rules = jetson.cli("firewall").output();
    var applied = jetson.cli("firewall", "--apply");
    if (!applied.ok()) {
      throw new IllegalStateException("spoq firewall --apply failed:\n" + applied.output());
    }
    var sshdConfig = jetson.cli("sshd-config", "--user", USER);
    if (!sshdConfig.ok()) {
      throw new IllegalStateException("spoq sshd-config failed:\n" + sshdConfig.output());
    }
    // sshd listens on the WireGuard address, which exists once the agent brought wg0 up.
    net.jetson.exec("sysctl", "-q", "-w", "net.ipv4.ip_nonlocal_bind=1");
    SshClient aliceSsh = new SshClient(net.phone, world.work, "alice-phone");
    Sshd sshd = net.own(new Sshd(net.jetson, world.work, USER, 20010));
    sshd.authorize(aliceSsh.publicKey()).start(JETSON_WG_IP, sshdConfig.output());

    jetson.start();

    String jetsonId =
        world
            .admin("GET", "/api/accounts/" + USER + "/jetsons", null, 200)
            .get(0)
            .get("id")
            .asString();
    WireGuardPeer phoneWg = net.own(new WireGuardPeer(net.phone, world.work, "wgp"));
    JsonNode created =
        world.admin(
            "POST",
            "/api/jetsons/" + jetsonId + "/devices",
            Map.of("name", "alice-phone", "profile", 1, "publicKey", phoneWg.publicKey()),
            201);
    JsonNode clientConfig = created.get("clientConfig");
    // The phone is configured once, from the registry's client config text (what the QR code
    // carries); from then on the tunnel is only ever switched on again, never edited.
    phoneWg.install(clientConfig.get("config").asString());

    Home home =
        new Home(world, upnp, jetson, sshd, aliceSsh, phoneWg, jetsonId, clientConfig, rules);
    // The agent picks the new device up on its next peer poll.
    Wait.until(
        "the Jetson's WireGuard to list the phone as a peer",
        Duration.ofSeconds(30),
        () ->
            net.jetson
                .exec("wg", "show", jetson.wgInterface(), "peers")
                .output()
                .contains(phoneWg.publicKey()));
    return home;
  }

  /**
   * The agent settings that only say where things are in this simulated internet (the API host, the
   * STUN server on the relay host, BIND as the resolver, no public echo services, no systemd);
   * every interval not given here is the shipped default of deploy/agent/agent.toml.
   */
  static Map<String, String> placeSettings() {
    String api = "https://api." + World.DOMAIN;
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("registry.url", api);
    settings.put("dns.url", api);
    settings.put("relay.url", api);
    settings.put("relay.enabled", "true");
    settings.put("publicip.stun-servers", Topology.RELAY_IP + ":" + Stun.PORT);
    settings.put("publicip.echo-urls", "");
    settings.put("dns.resolver", Topology.DNS_IP);
    settings.put("systemd.watchdog", "false");
    return settings;
  }

  /** {@link #placeSettings()} plus short intervals, so scenarios see changes within seconds. */
  static Map<String, String> fastSettings() {
    Map<String, String> settings = new LinkedHashMap<>(placeSettings());
    settings.put("peers.poll-interval", "2s");
    settings.put("publicip.interval", "2s");
    settings.put("dns.retry-initial", "1s");
    settings.put("dns.retry-max", "5s");
    settings.put("report.interval", "3s");
    settings.put("health.interval", "2s");
    settings.put("relay.assignment-interval", "3s");
    settings.put("upnp.refresh", "5s");
    return settings;
  }

  String fqdn() {
    return USER + "." + World.DOMAIN;
  }

  /** What the product's DNS answers for alice.<domain>, asked from the phone. */
  List<String> dnsAnswer() {
    return Bind.lookup(world.net.phone, Topology.DNS_IP, fqdn());
  }

  String jetsonPublicKey() {
    return clientConfig.get("peerPublicKey").asString();
  }

  /**
   * The user switches the phone's tunnel on (again), like in a stock WireGuard app: the unchanged
   * config from the registry is set again, so the session starts fresh and {@code alice.spoq.dev}
   * is resolved again through the real BIND; then traffic into the tunnel until a handshake
   * completes. Returns the time to that handshake.
   */
  Duration phoneReactivates(Duration timeout) {
    long before = System.currentTimeMillis() / 1000;
    long t0 = System.nanoTime();
    phoneWg.activate();
    phoneWg.awaitHandshake(jetsonPublicKey(), JETSON_WG_IP, before, timeout);
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  /** Where the phone's WireGuard currently sends to (ip:port as {@code wg} shows it). */
  String phoneEndpoint() {
    return phoneWg.endpoint(jetsonPublicKey());
  }

  /**
   * Not a stock app: a client that follows the relay coordinator's connect answer (the frp path
   * needs one, since frp gives each Jetson its own relay port). It activates a copy of the
   * installed config whose endpoint is the one the answer named; the stock config stays as it is.
   */
  Duration connectAnswerClientActivates(String endpoint, Duration timeout) {
    Path installed = phoneWg.configFile();
    Path copy =
        installed.getParent().resolve("connect-answer-client").resolve(installed.getFileName());
    try {
      Files.createDirectories(copy.getParent());
      Files.writeString(
          copy,
          Files.readString(installed)
              .replaceFirst(
                  "(?m)^Endpoint = .*$", "Endpoint = " + Matcher.quoteReplacement(endpoint)));
      Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long before = System.currentTimeMillis() / 1000;
    long t0 = System.nanoTime();
    phoneWg.activate(copy);
    phoneWg.awaitHandshake(jetsonPublicKey(), JETSON_WG_IP, before, timeout);
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  /** The relay assignment as the agent fetches it (its device token, through the TLS proxy). */
  dev.spoq.e2e.harness.Http.Response relayAssignment() {
    try {
      String token = Files.readString(jetson.stateDir().resolve("device.token")).trim();
      return dev.spoq.e2e.harness.Http.call(
          world.net.jetson,
          "GET",
          "https://api." + World.DOMAIN + "/api/relay/assignment",
          token,
          null,
          List.of("--cacert", world.tlsProxy().caCertificate().toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A command over SSH to the Jetson's WireGuard address, from the phone. */
  SshClient.Run sshToJetson(String command) {
    return aliceSsh.ssh(List.of(), USER + "@" + JETSON_WG_IP, command);
  }
}
