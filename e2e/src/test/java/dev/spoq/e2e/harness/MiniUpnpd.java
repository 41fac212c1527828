package dev.spoq.e2e.harness;

import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A real {@code miniupnpd} (nftables backend) on the home router namespace. The router's firewall
 * (its own nftables table) drops unsolicited inbound traffic, except what miniupnpd maps; the
 * chains miniupnpd writes into exist before it starts, otherwise AddPortMapping fails.
 */
public final class MiniUpnpd implements AutoCloseable {

  static final String TABLE = "e2eupnp";
  public static final int HTTP_PORT = 5000;

  private final NetworkNamespace ns;
  private final Path dir;
  private final String wanIf;
  private final String lanIf;
  private final String lanCidr;
  private ManagedProcess process;

  public MiniUpnpd(NetworkNamespace ns, Path workDir, String wanIf, String lanIf, String lanCidr) {
    this.ns = ns;
    this.dir = workDir.resolve("miniupnpd");
    this.wanIf = wanIf;
    this.lanIf = lanIf;
    this.lanCidr = lanCidr;
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("firewall.nft"),
          """
          table inet %1$s {
            chain forward {
              type filter hook forward priority 0; policy drop;
              ct state established,related accept
              iifname "%2$s" accept
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
            }
            chain prerouting_miniupnpd {
            }
            chain postrouting_miniupnpd {
            }
          }
          """
              .formatted(TABLE, lanIf));
      Files.writeString(
          dir.resolve("miniupnpd.conf"),
          """
          ext_ifname=%1$s
          listening_ip=%2$s
          http_port=%3$d
          enable_natpmp=yes
          enable_upnp=yes
          secure_mode=yes
          system_uptime=yes
          notify_interval=30
          clean_ruleset_interval=600
          uuid=%4$s
          upnp_table_name=%5$s
          upnp_nat_table_name=%5$s
          lease_file=%6$s/upnp.leases
          allow 1024-65535 %7$s 1024-65535
          deny 0-65535 0.0.0.0/0 0-65535
          """
              .formatted(wanIf, lanIf, HTTP_PORT, UUID.randomUUID(), TABLE, dir, lanCidr));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ns.exec("nft", "-f", dir.resolve("firewall.nft").toString());
  }

  public MiniUpnpd start() {
    Path bin = Binaries.require("miniupnpd", "miniupnpd");
    process =
        ns.start(
            "miniupnpd",
            List.of(
                bin.toString(),
                "-d",
                "-f",
                dir.resolve("miniupnpd.conf").toString(),
                "-P",
                dir.resolve("miniupnpd.pid").toString()),
            dir.resolve("miniupnpd.log"));
    Ports.awaitTcp(ns, HTTP_PORT, process, Duration.ofSeconds(15));
    return this;
  }

  /** Stops the daemon and removes every mapping it made: UPnP is now unavailable. */
  public void stop() {
    if (process != null) {
      process.close();
      process = null;
    }
    ns.tryExec("nft", "flush", "chain", "inet", TABLE, "miniupnpd");
    ns.tryExec("nft", "flush", "chain", "inet", TABLE, "prerouting_miniupnpd");
    ns.tryExec("nft", "flush", "chain", "inet", TABLE, "postrouting_miniupnpd");
  }

  public boolean running() {
    return process != null && process.isAlive();
  }

  /** The DNAT rules miniupnpd currently holds (for the report and assertions). */
  public String mappings() {
    return ns.tryExec("nft", "list", "chain", "inet", TABLE, "prerouting_miniupnpd").output();
  }

  @Override
  public void close() {
    stop();
    ns.tryExec("nft", "delete", "table", "inet", TABLE);
  }
}
