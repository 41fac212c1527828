package dev.spoq.agent.publicip;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/** A minimal RFC 5389 STUN client: one Binding request, the XOR-MAPPED-ADDRESS of the answer. */
public final class StunClient {

  static final int MAGIC_COOKIE = 0x2112A442;
  static final short BINDING_REQUEST = 0x0001;
  static final short BINDING_SUCCESS = 0x0101;
  static final short XOR_MAPPED_ADDRESS = 0x0020;
  static final short MAPPED_ADDRESS = 0x0001;
  private static final SecureRandom random = new SecureRandom();

  private StunClient() {}

  /** Our address as the STUN server sees it; empty on timeout or a malformed answer. */
  public static Optional<InetSocketAddress> query(String host, int port, Duration timeout)
      throws IOException {
    byte[] txId = new byte[12];
    random.nextBytes(txId);
    ByteBuffer req = ByteBuffer.allocate(20);
    req.putShort(BINDING_REQUEST).putShort((short) 0).putInt(MAGIC_COOKIE).put(txId);
    InetAddress server = InetAddress.getByName(host);
    try (DatagramSocket socket = new DatagramSocket()) {
      long perTry = Math.max(100, timeout.toMillis() / 3);
      for (int attempt = 0; attempt < 3; attempt++) {
        socket.send(new DatagramPacket(req.array(), 20, server, port));
        socket.setSoTimeout((int) perTry);
        byte[] buf = new byte[1024];
        DatagramPacket answer = new DatagramPacket(buf, buf.length);
        try {
          while (true) {
            socket.receive(answer);
            Optional<InetSocketAddress> parsed =
                parse(Arrays.copyOf(answer.getData(), answer.getLength()), txId);
            if (parsed.isPresent()) {
              return parsed;
            }
          }
        } catch (SocketTimeoutException retry) {
          // retransmit
        }
      }
    }
    return Optional.empty();
  }

  static Optional<InetSocketAddress> parse(byte[] message, byte[] txId) {
    if (message.length < 20) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.wrap(message);
    short type = b.getShort();
    int length = b.getShort() & 0xffff;
    int cookie = b.getInt();
    byte[] id = new byte[12];
    b.get(id);
    if (type != BINDING_SUCCESS
        || cookie != MAGIC_COOKIE
        || !Arrays.equals(id, txId)
        || length + 20 > message.length) {
      return Optional.empty();
    }
    InetSocketAddress mapped = null;
    while (b.position() + 4 <= 20 + length) {
      short attr = b.getShort();
      int attrLen = b.getShort() & 0xffff;
      if (b.position() + attrLen > message.length) {
        return Optional.empty();
      }
      byte[] value = new byte[attrLen];
      b.get(value);
      b.position(b.position() + ((4 - attrLen % 4) % 4));
      if (attrLen >= 8 && value[1] == 0x01) {
        int p = ((value[2] & 0xff) << 8) | (value[3] & 0xff);
        byte[] addr = Arrays.copyOfRange(value, 4, 8);
        if (attr == XOR_MAPPED_ADDRESS) {
          p ^= MAGIC_COOKIE >>> 16;
          byte[] c = ByteBuffer.allocate(4).putInt(MAGIC_COOKIE).array();
          for (int i = 0; i < 4; i++) {
            addr[i] ^= c[i];
          }
          return Optional.of(address(addr, p));
        } else if (attr == MAPPED_ADDRESS && mapped == null) {
          mapped = address(addr, p);
        }
      }
    }
    return Optional.ofNullable(mapped);
  }

  private static InetSocketAddress address(byte[] addr, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByAddress(addr), port);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
