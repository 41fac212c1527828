package dev.spoq.relay.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class RelayFramesTest {

  private final byte[] key = SessionKeys.derive("spoq_rly_a");
  private final byte[] otherKey = SessionKeys.derive("spoq_rly_b");
  private final byte[] agentNonce = new byte[16];
  private final byte[] relayNonce = new byte[16];

  {
    agentNonce[0] = 1;
    relayNonce[0] = 2;
  }

  @Test
  void helloVerifiesOnlyWithItsKeyAndUntampered() {
    UUID id = UUID.randomUUID();
    byte[] hello = new RelayFrames.Hello(id, 1234L, agentNonce).encode(key);
    assertThat(RelayFrames.type(hello, hello.length)).isEqualTo(RelayFrames.HELLO);
    assertThat(RelayFrames.Hello.verify(hello, key)).isTrue();
    assertThat(RelayFrames.Hello.verify(hello, otherKey)).isFalse();
    RelayFrames.Hello peeked = RelayFrames.Hello.peek(hello);
    assertThat(peeked.jetsonId()).isEqualTo(id);
    assertThat(peeked.timestampMillis()).isEqualTo(1234L);
    assertThat(peeked.agentNonce()).isEqualTo(agentNonce);
    for (int i = 4; i < hello.length; i += 7) {
      byte[] tampered = hello.clone();
      tampered[i] ^= 0x10;
      assertThat(RelayFrames.Hello.verify(tampered, key)).as("byte %d", i).isFalse();
    }
    assertThat(RelayFrames.type(hello, hello.length - 1)).isZero();
  }

  @Test
  void sessionFramesOpenOnceOnTheOtherSideOnly() {
    SessionCrypto agent = SessionCrypto.agent(key, 77L, agentNonce, relayNonce);
    SessionCrypto relay = SessionCrypto.relay(key, 77L, agentNonce, relayNonce);
    byte[] buf = new byte[128];
    buf[RelayFrames.HEADER] = 42;
    int len = agent.seal(RelayFrames.DATA, 9, buf, 1);
    assertThat(len).isEqualTo(1 + RelayFrames.OVERHEAD);
    assertThat(RelayFrames.type(buf, len)).isEqualTo(RelayFrames.DATA);
    assertThat(RelayFrames.flowId(buf)).isEqualTo(9);
    assertThat(agent.open(buf.clone(), len)).as("reflection").isFalse();
    byte[] copy = buf.clone();
    assertThat(relay.open(buf, len)).isTrue();
    assertThat(relay.open(copy, len)).as("replay").isFalse();

    int len2 = agent.seal(RelayFrames.DATA, 9, buf, 1);
    byte[] tampered = buf.clone();
    tampered[RelayFrames.HEADER] ^= 1;
    assertThat(relay.open(tampered, len2)).isFalse();
    byte[] moved = buf.clone();
    moved[23] ^= 1;
    assertThat(relay.open(moved, len2)).as("other flow").isFalse();
    SessionCrypto otherSession = SessionCrypto.relay(key, 78L, agentNonce, relayNonce);
    assertThat(otherSession.open(buf.clone(), len2)).isFalse();
    assertThat(relay.open(buf, len2)).isTrue();
  }
}
