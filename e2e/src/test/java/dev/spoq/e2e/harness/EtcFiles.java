package dev.spoq.e2e.harness;

import dev.spoq.testsupport.netns.NetworkNamespace;

/** Ready-made {@code /etc/netns} overlays. */
public final class EtcFiles {

  private EtcFiles() {}

  /** Makes {@code nameserver} the resolver of every program run in {@code ns}. */
  public static AutoCloseable resolver(NetworkNamespace ns, String nameserver) {
    return new EtcOverlay(ns.name())
        .write("resolv.conf", "nameserver " + nameserver + "\noptions timeout:2 attempts:2\n");
  }
}
