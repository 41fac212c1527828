package dev.spoq.e2e.harness;

import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.netns.Veth;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated internet, all in network namespaces created here and deleted on {@link #close()}:
 *
 * <pre>
 *                         inet (core router, all public links)
 *   cloud 45.76.10.2 ────┤ ├──── home WAN 73.45.123.89 (later 73.45.124.17): NAT + miniupnpd
 *     ├─ ctr-carol 10.200.1.2  │      └─ LAN 192.168.1.0/24: jetson 192.168.1.50
 *     └─ ctr-bob   10.200.2.2  ├──── carrier 174.20.0.2: carrier-grade NAT
 *   dns 45.76.20.53 (BIND) ────┤      └─ 100.64.0.0/10: phone 100.64.7.10
 *   relay 45.76.30.2 ──────────┘
 * </pre>
 *
 * Every "public" address is outside the reserved ranges (miniupnpd reports "not connected" on a
 * reserved WAN address). Nothing touches the root namespace.
 */
public final class Topology implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Topology.class);

  public static final String CLOUD_IP = "45.76.10.2";
  public static final String DNS_IP = "45.76.20.53";
  public static final String RELAY_IP = "45.76.30.2";
  public static final String HOME_WAN_IP = "73.45.123.89";
  public static final String HOME_WAN_GW = "73.45.123.1";
  public static final String HOME_WAN_IP_2 = "73.45.124.17";
  public static final String HOME_WAN_GW_2 = "73.45.124.1";
  public static final String HOME_LAN_GW = "192.168.1.1";
  public static final String JETSON_LAN_IP = "192.168.1.50";
  public static final String CARRIER_WAN_IP = "174.20.0.2";
  public static final String PHONE_IP = "100.64.7.10";
  public static final String CAROL_CONTAINER_IP = "10.200.1.2";
  public static final String BOB_CONTAINER_IP = "10.200.2.2";

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();

  public final NetworkNamespace inet;
  public final NetworkNamespace cloud;
  public final NetworkNamespace dns;
  public final NetworkNamespace relay;
  public final NetworkNamespace home;
  public final NetworkNamespace jetson;
  public final NetworkNamespace carrier;
  public final NetworkNamespace phone;
  public final NetworkNamespace carolContainer;
  public final NetworkNamespace bobContainer;

  /** The home router's WAN and LAN interface names (inside {@link #home}). */
  public final String homeWanIf;

  public final String homeLanIf;
  public final String jetsonLanIf;

  private final String cloudInetIf;
  private NetworkNamespace[] replicaHosts;

  private String homeWanIp = HOME_WAN_IP;

  public Topology() {
    boolean ok = false;
    try {
      inet = ns("e2e-inet");
      cloud = ns("e2e-cloud");
      dns = ns("e2e-dns");
      relay = ns("e2e-relay");
      home = ns("e2e-home");
      jetson = ns("e2e-jetson");
      carrier = ns("e2e-carrier");
      phone = ns("e2e-phone");
      carolContainer = ns("e2e-ctr-carol");
      bobContainer = ns("e2e-ctr-bob");
      inet.enableForwarding();

      cloudInetIf = link(inet, "45.76.10.1/24", cloud, CLOUD_IP + "/24").nameB();
      cloud.defaultRoute("45.76.10.1");
      link(inet, "45.76.20.1/24", dns, DNS_IP + "/24");
      dns.defaultRoute("45.76.20.1");
      link(inet, "45.76.30.1/24", relay, RELAY_IP + "/24");
      relay.defaultRoute("45.76.30.1");

      Veth wan = link(inet, HOME_WAN_GW + "/24", home, HOME_WAN_IP + "/24");
      inet.addAddress(wan.nameA(), HOME_WAN_GW_2 + "/24");
      homeWanIf = wan.nameB();
      home.defaultRoute(HOME_WAN_GW).enableForwarding();
      Veth lan = link(home, HOME_LAN_GW + "/24", jetson, JETSON_LAN_IP + "/24");
      homeLanIf = lan.nameA();
      jetsonLanIf = lan.nameB();
      jetson.defaultRoute(HOME_LAN_GW);
      home.masquerade(homeWanIf);

      link(inet, "174.20.0.1/24", carrier, CARRIER_WAN_IP + "/24");
      carrier.defaultRoute("174.20.0.1").enableForwarding();
      Veth cgn = link(carrier, "100.64.0.1/10", phone, PHONE_IP + "/10");
      phone.defaultRoute("100.64.0.1");
      carrier.masquerade(carrierWanIf(cgn));
      // A carrier NAT accepts nothing unsolicited from the internet.
      carrier.iptables(
          "-A", "FORWARD", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT");
      carrier.iptables("-A", "FORWARD", "-i", cgn.nameA(), "-j", "ACCEPT");
      carrier.iptables("-P", "FORWARD", "DROP");

      cloud.enableForwarding();
      link(cloud, "10.200.1.1/24", carolContainer, CAROL_CONTAINER_IP + "/24");
      carolContainer.defaultRoute("10.200.1.1");
      link(cloud, "10.200.2.1/24", bobContainer, BOB_CONTAINER_IP + "/24");
      bobContainer.defaultRoute("10.200.2.1");
      ok = true;
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  private static String carrierWanIf(Veth cgn) {
    // The carrier's WAN is its only other interface: the one with 174.20.0.2.
    NetworkNamespace carrier = cgn.namespaceA();
    String out = carrier.exec("ip", "-o", "-4", "addr", "show").output();
    for (String line : out.split("\n")) {
      if (line.contains(CARRIER_WAN_IP + "/")) {
        return line.trim().split("\\s+")[1];
      }
    }
    throw new IllegalStateException("carrier WAN interface not found:\n" + out);
  }

  private NetworkNamespace ns(String prefix) {
    NetworkNamespace ns = NetworkNamespace.create(prefix);
    resources.push(ns);
    return ns;
  }

  private Veth link(NetworkNamespace a, String addrA, NetworkNamespace b, String addrB) {
    Veth veth = Veth.connect(a, addrA, b, addrB);
    resources.push(veth);
    return veth;
  }

  /** Registers something to close (before the namespaces go). */
  public <T extends AutoCloseable> T own(T resource) {
    resources.push(resource);
    return resource;
  }

  /**
   * Two more cloud hosts for replicas of the control-plane services (like compose containers, each
   * with its own address), created on first use: {@code rep-a} 10.210.1.2 and {@code rep-b}
   * 10.210.2.2, routed through the cloud, which NATs their way out to the internet (BIND).
   */
  public synchronized NetworkNamespace[] replicaHosts() {
    if (replicaHosts == null) {
      NetworkNamespace a = ns("e2e-rep-a");
      link(cloud, REPLICA_GATEWAYS[0] + "/24", a, REPLICA_IPS[0] + "/24");
      a.defaultRoute(REPLICA_GATEWAYS[0]);
      NetworkNamespace b = ns("e2e-rep-b");
      link(cloud, REPLICA_GATEWAYS[1] + "/24", b, REPLICA_IPS[1] + "/24");
      b.defaultRoute(REPLICA_GATEWAYS[1]);
      cloud.iptables(
          "-t",
          "nat",
          "-A",
          "POSTROUTING",
          "-s",
          "10.210.0.0/16",
          "-o",
          cloudInetIf,
          "-j",
          "MASQUERADE");
      replicaHosts = new NetworkNamespace[] {a, b};
    }
    return replicaHosts.clone();
  }

  public static final String[] REPLICA_IPS = {"10.210.1.2", "10.210.2.2"};
  public static final String[] REPLICA_GATEWAYS = {"10.210.1.1", "10.210.2.1"};

  public String homeWanIp() {
    return homeWanIp;
  }

  /**
   * The ISP gives the home router a new WAN address (another subnet; the two addresses alternate):
   * the old address disappears, so anything still pointing at it stops working.
   */
  public void changeHomeWanAddress() {
    String old = homeWanIp;
    boolean first = old.equals(HOME_WAN_IP);
    String next = first ? HOME_WAN_IP_2 : HOME_WAN_IP;
    home.exec("ip", "addr", "add", next + "/24", "dev", homeWanIf);
    home.exec("ip", "addr", "del", old + "/24", "dev", homeWanIf);
    home.exec("ip", "route", "replace", "default", "via", first ? HOME_WAN_GW_2 : HOME_WAN_GW);
    // MASQUERADE forgets the connections of the removed address by itself.
    homeWanIp = next;
    log.info("home WAN address changed {} -> {}", old, homeWanIp);
  }

  @Override
  public void close() {
    while (!resources.isEmpty()) {
      AutoCloseable r = resources.pop();
      try {
        r.close();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", r, e.getMessage());
      }
    }
  }
}
