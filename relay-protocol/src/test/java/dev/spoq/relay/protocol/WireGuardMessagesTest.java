package dev.spoq.relay.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WireGuardMessagesTest {

  private static byte[] message(int type, int size) {
    byte[] b = new byte[size];
    b[0] = (byte) type;
    return b;
  }

  @Test
  void typesNeedTheirExactSizeAndZeroReservedBytes() {
    assertThat(WireGuardMessages.type(message(1, 148), 0, 148)).isEqualTo(1);
    assertThat(WireGuardMessages.type(message(1, 149), 0, 149)).isZero();
    assertThat(WireGuardMessages.type(message(2, 92), 0, 92)).isEqualTo(2);
    assertThat(WireGuardMessages.type(message(2, 148), 0, 148)).isZero();
    assertThat(WireGuardMessages.type(message(3, 64), 0, 64)).isEqualTo(3);
    assertThat(WireGuardMessages.type(message(4, 32), 0, 32)).isEqualTo(4);
    assertThat(WireGuardMessages.type(message(4, 32 + 16 * 80), 0, 32 + 16 * 80)).isEqualTo(4);
    assertThat(WireGuardMessages.type(message(4, 31), 0, 31)).isZero();
    // A full-MTU packet (1420 bytes inside) is not padded past the MTU: 16 + 1420 + 16.
    assertThat(WireGuardMessages.type(message(4, 1452), 0, 1452)).isEqualTo(4);
    assertThat(WireGuardMessages.type(message(5, 64), 0, 64)).isZero();
    assertThat(WireGuardMessages.type(message(0, 3), 0, 3)).isZero();
    byte[] reserved = message(1, 148);
    reserved[2] = 1;
    assertThat(WireGuardMessages.type(reserved, 0, 148)).isZero();
  }

  @Test
  void indicesAreLittleEndianAtTheirOffsets() {
    byte[] response = message(2, 92);
    response[4] = 0x01;
    response[7] = (byte) 0x80;
    response[8] = 0x02;
    response[11] = 0x7f;
    assertThat(WireGuardMessages.senderIndex(response, 0)).isEqualTo(0x80000001);
    assertThat(WireGuardMessages.receiverIndex(response, 0, 2)).isEqualTo(0x7f000002);
    byte[] transport = message(4, 32);
    transport[4] = 0x05;
    transport[5] = 0x01;
    assertThat(WireGuardMessages.receiverIndex(transport, 0, 4)).isEqualTo(0x0105);
  }
}
