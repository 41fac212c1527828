package dev.spoq.agent.publicip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StunClientTest {

  static byte[] response(byte[] txId, short attrType, byte[] ip, int port, boolean xor) {
    ByteBuffer b = ByteBuffer.allocate(32);
    b.putShort((short) 0x0101).putShort((short) 12).putInt(StunClient.MAGIC_COOKIE).put(txId);
    b.putShort(attrType).putShort((short) 8);
    b.put((byte) 0).put((byte) 1);
    int p = xor ? port ^ (StunClient.MAGIC_COOKIE >>> 16) : port;
    b.putShort((short) p);
    byte[] cookie = ByteBuffer.allocate(4).putInt(StunClient.MAGIC_COOKIE).array();
    for (int i = 0; i < 4; i++) {
      b.put(xor ? (byte) (ip[i] ^ cookie[i]) : ip[i]);
    }
    return b.array();
  }

  @Test
  void decodesXorMappedAddress() {
    byte[] tx = new byte[12];
    tx[0] = 7;
    byte[] msg = response(tx, (short) 0x0020, new byte[] {73, 45, 123, 89}, 51820, true);
    Optional<InetSocketAddress> a = StunClient.parse(msg, tx);
    assertThat(a).isPresent();
    assertThat(a.get().getAddress().getHostAddress()).isEqualTo("73.45.123.89");
    assertThat(a.get().getPort()).isEqualTo(51820);
  }

  @Test
  void fallsBackToMappedAddressAndRejectsForeignOrBrokenAnswers() {
    byte[] tx = new byte[12];
    byte[] msg = response(tx, (short) 0x0001, new byte[] {81, 0, 0, 1}, 4000, false);
    assertThat(StunClient.parse(msg, tx))
        .map(x -> x.getAddress().getHostAddress())
        .contains("81.0.0.1");
    byte[] other = new byte[12];
    other[5] = 1;
    assertThat(StunClient.parse(msg, other)).isEmpty();
    assertThat(StunClient.parse(new byte[] {1, 2, 3}, tx)).isEmpty();
    byte[] truncated = java.util.Arrays.copyOf(msg, 26);
    assertThat(StunClient.parse(truncated, tx)).isEmpty();
  }

  @Test
  void gatewayAddressesThatAreNotPublicAreNotUsed() {
    assertThat(PublicIpMonitor.usable("73.45.123.89")).isTrue();
    assertThat(PublicIpMonitor.usable("100.64.1.2")).isFalse();
    assertThat(PublicIpMonitor.usable("192.168.1.1")).isFalse();
    assertThat(PublicIpMonitor.usable("10.0.0.1")).isFalse();
    assertThat(PublicIpMonitor.usable("999.1.1.1")).isFalse();
    assertThat(PublicIpMonitor.usable("<html>")).isFalse();
  }
}
