package dev.spoq.agent.it;

import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.netns.Veth;
import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A simulated home: the Jetson's LAN namespace, a second LAN host, a router namespace doing NAT
 * (masquerade on its WAN) with a real miniupnpd (nftables backend, its chains created first), and
 * an "internet" namespace on a non-reserved WAN (81.0.0.0/24) running a real STUN server (coturn).
 */
final class HomeNetwork implements AutoCloseable {

  static final String WAN_ROUTER = "81.0.0.1";
  static final String WAN_HOST = "81.0.0.2";
  static final String LAN_ROUTER = "192.168.50.1";
  static final String JETSON = "192.168.50.2";
  static final String OTHER_HOST = "192.168.51.2";
  static final String TABLE = "spoqhome";
  private static final String HTTP_PORT = "{{http_port}}";

  final NetworkNamespace wan;
  final NetworkNamespace router;
  final NetworkNamespace lan;
  final NetworkNamespace otherLan;
  final String routerWanIf;
  final Path dir;
  private ManagedProcess miniupnpd;
  private ManagedProcess stun;

  private HomeNetwork(Path dir) {
    this.dir = dir;
    wan = NetworkNamespace.create("ag-wan");
    router = NetworkNamespace.create("ag-rtr");
    lan = NetworkNamespace.create("ag-lan");
    otherLan = NetworkNamespace.create("ag-lan2");
    Veth w = Veth.connect(router, WAN_ROUTER + "/24", wan, WAN_HOST + "/24");
    Veth l = Veth.connect(lan, JETSON + "/24", router, LAN_ROUTER + "/24");
    Veth l2 = Veth.connect(otherLan, OTHER_HOST + "/24", router, "192.168.51.1/24");
    routerWanIf = w.nameA();
    lan.defaultRoute(LAN_ROUTER);
    otherLan.defaultRoute("192.168.51.1");
    router.enableForwarding();
    String lanIf = l.nameB();
    String lan2If = l2.nameB();
    write(
        "firewall.nft",
        """
        table inet %1$s {
          chain forward {
            type filter hook forward priority 0; policy drop;
            ct state established,related accept
            iifname "%2$s" accept
            iifname "%3$s" accept
            jump miniupnpd
          }
          chain miniupnpd {
          }
          chain prerouting {
            type nat hook prerouting priority -100; policy accept;
            jump prerouting_miniupnpd
          }
          chain postrouting {
            type nat hook postrouting priority 100; policy accept;
            jump postrouting_miniupnpd
            oifname "%4$s" masquerade
          }
          chain prerouting_miniupnpd {
          }
          chain postrouting_miniupnpd {
          }
        }
        """
            .formatted(TABLE, lanIf, lan2If, routerWanIf));
    router.exec("nft", "-f", dir.resolve("firewall.nft").toString());
    write(
        "miniupnpd.conf",
        """
        ext_ifname=%1$s
        listening_ip=%2$s
        listening_ip=%3$s
        http_port=%7$s
        enable_natpmp=no
        enable_upnp=yes
        secure_mode=yes
        system_uptime=yes
        uuid=%4$s
        upnp_table_name=%5$s
        upnp_nat_table_name=%5$s
        lease_file=%6$s
        allow 1024-65535 192.168.50.0/24 1024-65535
        allow 1024-65535 192.168.51.0/24 1024-65535
        deny 0-65535 0.0.0.0/0 0-65535
        """
            .formatted(
                routerWanIf,
                lanIf,
                lan2If,
                UUID.randomUUID(),
                TABLE,
                dir.resolve("upnp.leases"),
                HTTP_PORT));
  }

  static HomeNetwork create(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new HomeNetwork(dir);
  }

  HomeNetwork startMiniupnpd() {
    return startMiniupnpd(5000);
  }

  /**
   * Starts miniupnpd with its HTTP (control) port; 0 lets it pick a free port, as a stock router
   * does on every start.
   */
  HomeNetwork startMiniupnpd(int httpPort) {
    try {
      String conf = Files.readString(dir.resolve("miniupnpd.conf"));
      Files.writeString(
          dir.resolve("miniupnpd.run.conf"), conf.replace(HTTP_PORT, String.valueOf(httpPort)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    miniupnpd =
        router.start(
            "miniupnpd",
            List.of(
                Binaries.require("miniupnpd", "miniupnpd").toString(),
                "-d",
                "-f",
                dir.resolve("miniupnpd.run.conf").toString(),
                "-P",
                dir.resolve("miniupnpd.pid").toString()),
            dir.resolve("miniupnpd.log"));
    ManagedProcess started = miniupnpd;
    Wait.until(
        "miniupnpd listening",
        Duration.ofSeconds(15),
        () -> miniupnpdHttpPort() > 0,
        started::output);
    return this;
  }

  /** The TCP port miniupnpd's HTTP server listens on now, or -1. */
  int miniupnpdHttpPort() {
    String out = router.tryExec("ss", "-ltnpH").output();
    for (String line : out.split("\n")) {
      if (line.contains("\"miniupnpd\"")) {
        String local = line.trim().split("\\s+")[3];
        return Integer.parseInt(local.substring(local.lastIndexOf(':') + 1));
      }
    }
    return -1;
  }

  /** Stops miniupnpd (the router goes down). */
  void stopMiniupnpd() {
    if (miniupnpd != null) {
      miniupnpd.close();
      miniupnpd = null;
    }
  }

  /** What a reboot loses: miniupnpd's rules and its lease file. */
  void flushMiniupnpdState() {
    for (String chain : List.of("miniupnpd", "prerouting_miniupnpd", "postrouting_miniupnpd")) {
      router.exec("nft", "flush", "chain", "inet", TABLE, chain);
    }
    try {
      Files.deleteIfExists(dir.resolve("upnp.leases"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A real STUN server (coturn, STUN only) on the WAN host 81.0.0.2:3478. */
  HomeNetwork startStun() {
    stun =
        wan.start(
            "turnserver",
            List.of(
                Binaries.require("turnserver", "coturn").toString(),
                "--stun-only",
                "-L",
                WAN_HOST,
                "-p",
                "3478",
                "--no-cli",
                "--no-tls",
                "--no-dtls",
                "--log-file",
                "stdout",
                "--simple-log",
                "--pidfile",
                dir.resolve("turnserver.pid").toString()),
            dir.resolve("turnserver.log"));
    Wait.until(
        "turnserver listening",
        Duration.ofSeconds(15),
        () -> wan.tryExec("ss", "-lun", "sport = :3478").output().contains("3478"),
        stun::output);
    return this;
  }

  String miniupnpdLog() {
    try {
      Path f = dir.resolve("miniupnpd.log");
      return Files.exists(f) ? Files.readString(f) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** The DNAT rules miniupnpd holds right now. */
  String mappings() {
    return router.tryExec("nft", "list", "chain", "inet", TABLE, "prerouting_miniupnpd").output();
  }

  String leases() {
    try {
      Path f = dir.resolve("upnp.leases");
      return Files.exists(f) ? Files.readString(f) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Drops WireGuard's UDP port at the router before NAT: the direct path is cut. */
  void cutUdp(int port) {
    write(
        "cut.nft",
        "table inet spoqcut {\n chain pre {\n  type filter hook prerouting priority -150;"
            + " policy accept;\n  udp dport "
            + port
            + " drop\n }\n}\n");
    router.exec("nft", "-f", dir.resolve("cut.nft").toString());
  }

  void restoreUdp() {
    router.exec("nft", "delete", "table", "inet", "spoqcut");
  }

  /** Moves the router's WAN to another public address (the ISP gave a new IP). */
  void changeWanAddress(String oldIp, String newIp) {
    // Delete first: removing a primary address also removes its secondaries.
    router.exec("ip", "addr", "del", oldIp + "/24", "dev", routerWanIf);
    router.exec("ip", "addr", "add", newIp + "/24", "dev", routerWanIf);
  }

  private void write(String name, String content) {
    try {
      Files.writeString(dir.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static InetSocketAddress wanEndpoint(int port) {
    return new InetSocketAddress(WAN_ROUTER, port);
  }

  @Override
  public void close() {
    if (miniupnpd != null) {
      miniupnpd.close();
    }
    if (stun != null) {
      stun.close();
    }
    otherLan.close();
    lan.close();
    router.close();
    wan.close();
  }
}
