package dev.spoq.agent.publicip;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a name resolves to: through the system resolver, or with a plain A query (RFC 1035, UDP,
 * recursion desired) to a configured resolver {@code host[:port]} so the check bypasses caches.
 */
public final class DnsLookup {

  private static final SecureRandom random = new SecureRandom();

  private DnsLookup() {}

  public static List<String> resolveA(String name, String resolver, Duration timeout)
      throws IOException {
    if (resolver == null || resolver.isBlank()) {
      List<String> result = new ArrayList<>();
      for (InetAddress a : InetAddress.getAllByName(name)) {
        if (a.getAddress().length == 4) {
          result.add(a.getHostAddress());
        }
      }
      return result;
    }
    String host = resolver;
    int port = 53;
    int colon = resolver.lastIndexOf(':');
    if (colon > 0) {
      host = resolver.substring(0, colon);
      port = Integer.parseInt(resolver.substring(colon + 1));
    }
    int id = random.nextInt(0x10000);
    byte[] query = query(id, name);
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout((int) timeout.toMillis());
      socket.send(new DatagramPacket(query, query.length, InetAddress.getByName(host), port));
      byte[] buf = new byte[1500];
      DatagramPacket answer = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(answer);
      } catch (SocketTimeoutException e) {
        throw new IOException("resolver " + resolver + " did not answer");
      }
      return parse(ByteBuffer.wrap(buf, 0, answer.getLength()).slice(), id);
    }
  }

  static byte[] query(int id, String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer header = ByteBuffer.allocate(12);
    header.putShort((short) id).putShort((short) 0x0100).putShort((short) 1);
    out.writeBytes(header.array());
    for (String label : name.split("\\.")) {
      byte[] l = label.getBytes(StandardCharsets.US_ASCII);
      out.write(l.length);
      out.writeBytes(l);
    }
    out.write(0);
    out.writeBytes(new byte[] {0, 1, 0, 1});
    return out.toByteArray();
  }

  static List<String> parse(ByteBuffer b, int id) throws IOException {
    try {
      if ((b.getShort() & 0xffff) != id) {
        throw new IOException("DNS answer id mismatch");
      }
      int flags = b.getShort() & 0xffff;
      int qd = b.getShort() & 0xffff;
      int an = b.getShort() & 0xffff;
      b.getShort();
      b.getShort();
      int rcode = flags & 0xf;
      if (rcode == 3) {
        return List.of();
      }
      if (rcode != 0) {
        throw new IOException("DNS answer rcode " + rcode);
      }
      for (int i = 0; i < qd; i++) {
        skipName(b);
        b.getInt();
      }
      List<String> result = new ArrayList<>();
      for (int i = 0; i < an; i++) {
        skipName(b);
        int type = b.getShort() & 0xffff;
        b.getShort();
        b.getInt();
        int len = b.getShort() & 0xffff;
        byte[] data = new byte[len];
        b.get(data);
        if (type == 1 && len == 4) {
          result.add(InetAddress.getByAddress(data).getHostAddress());
        }
      }
      return result;
    } catch (java.nio.BufferUnderflowException e) {
      throw new IOException("truncated DNS answer");
    }
  }

  private static void skipName(ByteBuffer b) {
    while (true) {
      int len = b.get() & 0xff;
      if (len == 0) {
        return;
      }
      if ((len & 0xc0) == 0xc0) {
        b.get();
        return;
      }
      b.position(b.position() + len);
    }
  }
}
