package dev.spoq.registry.route;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spoq.common.problem.ApiProblemException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 13 item 8 with the production default ranges (private networks only). */
class RouteHostPolicyTest {

  private final RouteHostPolicy defaults =
      new RouteHostPolicy(
          List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "169.254.169.254",
        "127.0.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "239.255.255.250",
        "255.255.255.255",
        "8.8.8.8",
        "0x51024545",
        "0x7f.0.0.1",
        "1358579013",
        "2130706433",
        "127.1",
        "10.1",
        "localhost",
        "LOCALHOST",
        "foo.localhost",
        "metadata.google.internal",
        "metadata"
      })
  void refused(String host) {
    assertThatThrownBy(() -> defaults.check(host)).isInstanceOf(ApiProblemException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.20.0.7",
        "172.16.5.4",
        "192.168.1.10",
        "100.64.0.9",
        "container-alice",
        "alice.containers.internal"
      })
  void allowed(String host) {
    assertThatCode(() -> defaults.check(host)).doesNotThrowAnyException();
  }

  @Test
  void loopbackAndMetadataOnlyWhenARangeNamesThem() {
    RouteHostPolicy dev = new RouteHostPolicy(List.of("127.0.0.0/8", "169.254.169.254/32"));
    assertThatCode(() -> dev.check("127.0.0.1")).doesNotThrowAnyException();
    assertThatCode(() -> dev.check("169.254.169.254")).doesNotThrowAnyException();
    assertThatThrownBy(() -> dev.check("10.0.0.1")).isInstanceOf(ApiProblemException.class);
    assertThatThrownBy(() -> dev.check("0.0.0.0")).isInstanceOf(ApiProblemException.class);
  }
}
