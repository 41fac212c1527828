package dev.spoq.agent.upnp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.bitlet.weupnp.GatewayDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SSDP search for the Internet gateway on the LAN interface only (the one the default route uses),
 * with a hard deadline. weupnp's own {@code GatewayDiscover} probes every interface (including the
 * WireGuard one) and can wait forever there, so the agent finds the gateway itself and hands the
 * device to weupnp ({@link GatewayDevice#loadDescription()}, SOAP calls).
 */
final class SsdpDiscovery {

  private static final Logger log = LoggerFactory.getLogger(SsdpDiscovery.class);
  private static final InetSocketAddress SSDP = new InetSocketAddress("239.255.255.250", 1900);
  private static final String[] SEARCH_TYPES = {
    "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
    "urn:schemas-upnp-org:service:WANIPConnection:1",
    "urn:schemas-upnp-org:device:InternetGatewayDevice:2"
  };

  private SsdpDiscovery() {}

  /** The address this host uses towards the LAN (the default route's source address). */
  static InetAddress lanAddress() throws IOException {
    try (DatagramSocket probe = new DatagramSocket()) {
      probe.connect(InetAddress.getByName("192.0.2.1"), 9);
      InetAddress a = probe.getLocalAddress();
      if (a == null || a.isAnyLocalAddress()) {
        throw new IOException("no default route: the LAN interface is unknown");
      }
      return a;
    }
  }

  static Optional<GatewayDevice> find(Duration timeout) throws Exception {
    InetAddress lan = lanAddress();
    NetworkInterface nic = NetworkInterface.getByInetAddress(lan);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (MulticastSocket socket = new MulticastSocket(new InetSocketAddress(lan, 0))) {
      if (nic != null) {
        socket.setNetworkInterface(nic);
      }
      socket.setTimeToLive(2);
      for (String st : SEARCH_TYPES) {
        byte[] req =
            ("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nST: "
                    + st
                    + "\r\nMAN: \"ssdp:discover\"\r\nMX: 2\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        socket.send(new DatagramPacket(req, req.length, SSDP));
      }
      byte[] buf = new byte[2048];
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return Optional.empty();
        }
        socket.setSoTimeout((int) left);
        DatagramPacket answer = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(answer);
        } catch (SocketTimeoutException e) {
          return Optional.empty();
        }
        Map<String, String> headers =
            parse(new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8));
        String location = headers.get("location");
        if (location == null || !location.startsWith("http://")) {
          continue;
        }
        GatewayDevice device = new GatewayDevice();
        device.setSt(headers.getOrDefault("st", SEARCH_TYPES[0]));
        device.setLocation(location);
        device.setLocalAddress(lan);
        try {
          device.loadDescription();
          if (WanService.choose(device)) {
            return Optional.of(device);
          }
        } catch (Exception e) {
          log.debug("UPnP device at {} has no usable description: {}", location, e.getMessage());
        }
      }
    }
  }

  static Map<String, String> parse(String response) {
    Map<String, String> headers = new LinkedHashMap<>();
    String[] lines = response.split("\r?\n");
    if (lines.length == 0 || !lines[0].startsWith("HTTP/1.1 200")) {
      return headers;
    }
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    return headers;
  }
}
