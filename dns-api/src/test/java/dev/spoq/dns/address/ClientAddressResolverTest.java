package dev.spoq.dns.address;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class ClientAddressResolverTest {

  private final ClientAddressResolver resolver =
      new ClientAddressResolver(List.of("10.0.0.0/8", "2001:db8:1::/48"));

  private static MockHttpServletRequest from(String peer, String... forwardedFor) {
    MockHttpServletRequest request = new MockHttpServletRequest();
    request.setRemoteAddr(peer);
    for (String value : forwardedFor) {
      request.addHeader("X-Forwarded-For", value);
    }
    return request;
  }

  private String resolve(MockHttpServletRequest request) {
    return IpLiterals.canonical(resolver.resolve(request).orElseThrow());
  }

  @Test
  void anUntrustedPeerIsTheClientWhateverItSays() {
    assertThat(resolve(from("93.184.216.34", "1.1.1.1"))).isEqualTo("93.184.216.34");
  }

  @Test
  void aTrustedProxyForwardsTheRightMostUntrustedHop() {
    assertThat(resolve(from("10.0.0.5", "6.6.6.6, 73.45.1.2"))).isEqualTo("73.45.1.2");
    assertThat(resolve(from("10.0.0.5", "6.6.6.6, 73.45.1.2, 10.0.0.9"))).isEqualTo("73.45.1.2");
    assertThat(resolve(from("10.0.0.5", "6.6.6.6", "73.45.1.3"))).isEqualTo("73.45.1.3");
    assertThat(resolve(from("2001:db8:1::7", "[2606:4700::1]:443"))).isEqualTo("2606:4700::1");
    assertThat(resolve(from("10.0.0.5", "73.45.1.4:5555"))).isEqualTo("73.45.1.4");
  }

  @Test
  void garbageStopsTheWalk() {
    assertThat(resolve(from("10.0.0.5", "73.45.1.2, evil.example"))).isEqualTo("10.0.0.5");
    assertThat(resolve(from("10.0.0.5"))).isEqualTo("10.0.0.5");
    assertThat(resolve(from("10.0.0.5", "x".repeat(5000)))).isEqualTo("10.0.0.5");
  }
}
