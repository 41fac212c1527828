package dev.spoq.e2e.scenarios;

import dev.spoq.e2e.harness.Bind;
import dev.spoq.e2e.harness.ControlPlane;
import dev.spoq.e2e.harness.EtcFiles;
import dev.spoq.e2e.harness.Http;
import dev.spoq.e2e.harness.PostgresBridge;
import dev.spoq.e2e.harness.RelayServer;
import dev.spoq.e2e.harness.TlsProxy;
import dev.spoq.e2e.harness.Topology;
import dev.spoq.e2e.harness.WorkDir;
import dev.spoq.testsupport.netns.NetworkNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Everything the scenarios share: the namespace internet, BIND for the product zone, PostgreSQL and
 * the running control plane. Built once per run; {@link #close()} tears all of it down.
 */
final class World implements AutoCloseable {

  static final String DOMAIN = "spoq.dev";

  final Path work;
  final Topology net;
  final Bind bind;
  final PostgresBridge postgres;
  final ControlPlane controlPlane;
  private TlsProxy tlsProxy;
  private RelayServer relayServer;

  private World(Path work, Topology net, Bind bind, PostgresBridge postgres, ControlPlane cp) {
    this.work = work;
    this.net = net;
    this.bind = bind;
    this.postgres = postgres;
    this.controlPlane = cp;
  }

  static World build() {
    Path work = WorkDir.create("run");
    Topology net = new Topology();
    try {
      // The phone uses the product's authoritative DNS server as its resolver.
      net.own(EtcFiles.resolver(net.phone, Topology.DNS_IP));
      Bind bind =
          net.own(new Bind(net.dns, Topology.DNS_IP, DOMAIN, work, Topology.CLOUD_IP)).start();
      PostgresBridge postgres = net.own(new PostgresBridge(net.cloud, work));
      ControlPlane cp =
          net.own(new ControlPlane(net.cloud, Topology.CLOUD_IP, work, postgres, bind)).start();
      return new World(work, net, bind, postgres, cp);
    } catch (RuntimeException | Error e) {
      net.close();
      throw e;
    }
  }

  /** An admin call to the registry from the cloud (the web app's position). */
  JsonNode admin(String method, String path, Object body, int expectedStatus) {
    return Http.call(
            net.cloud, method, controlPlane.registryUrl() + path, controlPlane.adminKey(), body)
        .expect(expectedStatus)
        .json();
  }

  JsonNode createAccount(String username, String product) {
    return admin(
        "POST",
        "/api/accounts",
        Map.of("username", username, "subdomain", username, "product", product),
        201);
  }

  /**
   * Moves the control plane to two replicas of every service on two more cloud hosts, behind the
   * deployment's balancer (the proxy restarted with internal.conf and stream.conf); the TLS
   * certificate and every URL stay the same.
   */
  void replicateControlPlane() {
    NetworkNamespace[] hosts = net.replicaHosts();
    controlPlane.stop();
    controlPlane.replicated(hosts, Topology.REPLICA_IPS, Topology.REPLICA_GATEWAYS);
    if (tlsProxy != null) {
      tlsProxy.close();
    }
    tlsProxy = net.own(new TlsProxy(net.cloud, work, "api." + DOMAIN, Topology.REPLICA_IPS));
    controlPlane.start();
  }

  /** The deployment's TLS proxy in front of the services, started on first use. */
  TlsProxy tlsProxy() {
    if (tlsProxy == null) {
      tlsProxy = net.own(new TlsProxy(net.cloud, work, "api." + DOMAIN));
    }
    return tlsProxy;
  }

  static final String SPOQ_RELAY_ID = "relay-spoq-1";

  /**
   * The WireGuard-aware relay on the relay host, started on first use: registered with the relay
   * coordinator as a {@code spoq} relay (the answer carries its relay token once), then {@code
   * relay-server} runs with that token and fetches its Jetson set from the coordinator.
   */
  RelayServer relayServer() {
    if (relayServer == null) {
      Map<String, Object> relay = new java.util.LinkedHashMap<>();
      relay.put("id", SPOQ_RELAY_ID);
      relay.put("kind", "spoq");
      relay.put("region", "us");
      relay.put("publicHost", Topology.RELAY_IP);
      relay.put("wgPort", RelayServer.WG_PORT);
      relay.put("agentPort", RelayServer.AGENT_PORT);
      relay.put("capacity", 100);
      JsonNode created =
          Http.post(
                  net.cloud,
                  controlPlane.relayUrl() + "/api/relays",
                  controlPlane.adminKey(),
                  relay)
              .expect(201)
              .json();
      String token = created.get("relayToken").asString();
      relayServer =
          net.own(
              new RelayServer(
                  net.relay,
                  work,
                  controlPlane.relayUrl(),
                  SPOQ_RELAY_ID,
                  token,
                  Topology.RELAY_IP));
      // Drained, so a Jetson assigned to an frp relay earlier moves to relay-server.
      for (JsonNode other :
          Http.get(net.cloud, controlPlane.relayUrl() + "/api/relays", controlPlane.adminKey())
              .expect(200)
              .json()) {
        String id = other.get("id").asString();
        if (!"spoq".equals(other.path("kind").asString()) && !other.path("draining").asBoolean()) {
          Http.post(
                  net.cloud,
                  controlPlane.relayUrl() + "/api/relays/" + id + "/drain",
                  controlPlane.adminKey(),
                  null)
              .expect(200);
          drainedFrpRelays.add(id);
        }
      }
    }
    return relayServer;
  }

  private final java.util.List<String> drainedFrpRelays = new java.util.ArrayList<>();

  /** The frp relays {@link #relayServer()} drained (left from scenario 3, which runs earlier). */
  java.util.List<String> drainedFrpRelays() {
    return java.util.List.copyOf(drainedFrpRelays);
  }

  /** A new API key scoped to one account (what the web app holds for that person). */
  String accountKey(String username) {
    return admin(
            "POST",
            "/api/api-keys",
            Map.of("scope", "ACCOUNT", "username", username, "name", username + "-phone-app"),
            201)
        .get("key")
        .asString();
  }

  @Override
  public void close() {
    try {
      net.close();
    } finally {
      // The private copies of the service jars are big; the logs stay for inspection.
      deleteTree(work.resolve("jars"));
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException ignored) {
      // best effort
    }
  }

  /** Versions of the real programs this run drove, for the report. */
  static String toolVersions(Topology net) {
    StringBuilder out = new StringBuilder();
    version(out, net, "OpenSSH", "ssh", "-V");
    version(out, net, "BIND", "named", "-v");
    version(out, net, "miniupnpd", "miniupnpd", "--version");
    version(out, net, "wireguard-go", "wireguard-go", "--version");
    version(out, net, "wg", "wg", "--version");
    version(out, net, "iptables", "iptables", "--version");
    return out.toString();
  }

  private static void version(StringBuilder out, Topology net, String label, String... cmd) {
    String text = net.inet.tryExec(cmd).output().trim();
    String first = text.isEmpty() ? "?" : text.split("\n")[0];
    out.append(out.length() == 0 ? "" : "; ").append(label).append(": ").append(first);
  }
}
