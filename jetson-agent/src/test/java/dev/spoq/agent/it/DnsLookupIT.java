package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spoq.agent.publicip.DnsLookup;
import dev.spoq.dns.testing.RunningNamed;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The agent's "what does my name resolve to" check, against a real BIND named. */
class DnsLookupIT {

  @Test
  void resolvesThroughAConfiguredResolver() throws Exception {
    try (RunningNamed named = RunningNamed.start("agent-test.example")) {
      String resolver = "127.0.0.1:" + named.port();
      assertThat(DnsLookup.resolveA("ns1.agent-test.example", resolver, Duration.ofSeconds(3)))
          .containsExactly("127.0.0.1");
      assertThat(DnsLookup.resolveA("absent.agent-test.example", resolver, Duration.ofSeconds(3)))
          .as("NXDOMAIN is an empty answer, not an error")
          .isEmpty();
      // Not authoritative and no recursion: REFUSED is an error with the rcode.
      assertThatThrownBy(() -> DnsLookup.resolveA("example.org", resolver, Duration.ofSeconds(3)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("rcode 5");
    }
    assertThatThrownBy(() -> DnsLookup.resolveA("x.example", "127.0.0.1:9", Duration.ofMillis(500)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("did not answer");
  }
}
