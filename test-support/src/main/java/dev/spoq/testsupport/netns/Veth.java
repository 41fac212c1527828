package dev.spoq.testsupport.netns;

import java.util.List;

/**
 * A veth pair whose ends live in two namespaces, with an address on each end, both up. Interface
 * names are unique ({@code va-<hex>} / {@code vb-<hex>}). Closing deletes the pair (deleting either
 * namespace does too); closing twice is harmless.
 */
public final class Veth implements AutoCloseable {

  private final NetworkNamespace nsA;
  private final String nameA;
  private final NetworkNamespace nsB;
  private final String nameB;
  private boolean closed;

  private Veth(NetworkNamespace nsA, String nameA, NetworkNamespace nsB, String nameB) {
    this.nsA = nsA;
    this.nameA = nameA;
    this.nsB = nsB;
    this.nameB = nameB;
  }

  /**
   * Connects two namespaces.
   *
   * @param addrA CIDR for A's end (e.g. "192.168.1.1/24"), or null for none
   * @param addrB CIDR for B's end, or null for none
   */
  public static Veth connect(
      NetworkNamespace nsA, String addrA, NetworkNamespace nsB, String addrB) {
    String suffix = NetworkNamespace.randomSuffix(4);
    String a = "va" + suffix;
    String b = "vb" + suffix;
    Commands.require(
        List.of(
            "ip",
            "link",
            "add",
            a,
            "netns",
            nsA.name(),
            "type",
            "veth",
            "peer",
            "name",
            b,
            "netns",
            nsB.name()));
    Veth veth = new Veth(nsA, a, nsB, b);
    Cleanup.register(veth, veth::close);
    nsA.exec("ip", "link", "set", a, "up");
    nsB.exec("ip", "link", "set", b, "up");
    if (addrA != null) {
      nsA.addAddress(a, addrA);
    }
    if (addrB != null) {
      nsB.addAddress(b, addrB);
    }
    return veth;
  }

  /** Interface name in namespace A. */
  public String nameA() {
    return nameA;
  }

  /** Interface name in namespace B. */
  public String nameB() {
    return nameB;
  }

  public NetworkNamespace namespaceA() {
    return nsA;
  }

  public NetworkNamespace namespaceB() {
    return nsB;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Cleanup.unregister(this);
    // Gone already when namespace A was deleted; that is fine.
    nsA.tryExec("ip", "link", "del", nameA);
  }
}
