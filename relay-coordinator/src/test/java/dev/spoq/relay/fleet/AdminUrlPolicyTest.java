package dev.spoq.relay.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.relay.config.RelayProperties;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server-side request forgery guard on frps admin URLs, with the shipped default ranges. */
class AdminUrlPolicyTest {

  private final AdminUrlPolicy defaults =
      new AdminUrlPolicy(new RelayProperties.AdminUrl(null).allowedRanges());

  @Test
  void privateAddressesPassWithTheDefaults() {
    assertThat(defaults.validate("http://10.0.2.15:7500/")).isEqualTo("http://10.0.2.15:7500");
    assertThat(defaults.validate("https://172.16.4.4:7500")).isEqualTo("https://172.16.4.4:7500");
    assertThat(defaults.validate("http://192.168.7.9:7500")).isEqualTo("http://192.168.7.9:7500");
    assertThat(defaults.validate("http://[fd12::5]:7500")).isEqualTo("http://[fd12::5]:7500");
  }

  @Test
  void dangerousAndNumericFormsAreRefused() {
    for (String url :
        List.of(
            "http://127.0.0.1:7500",
            "http://127.1:7500",
            "http://169.254.169.254/latest/meta-data",
            "http://0.0.0.0:7500",
            "http://[::]:7500",
            "http://[::1]:7500",
            "http://[fe80::1]:7500",
            "http://[fd00:ec2::254]/",
            "http://224.0.0.1:7500",
            "http://255.255.255.255:7500",
            "http://0x51024545:7500",
            "http://0x7f.0x0.0x0.0x1:7500",
            "http://1358054725:7500",
            "http://2130706433:7500",
            "http://0177.0.0.1:7500",
            "http://[::ffff:127.0.0.1]:7500",
            "http://8.8.8.8:7500",
            "http://localhost:7500",
            "ftp://10.0.0.1/",
            "http://user:pw@10.0.0.1/",
            "http://10.0.0.1/?q=1")) {
      assertThatThrownBy(() -> defaults.validate(url))
          .as(url)
          .isInstanceOf(ApiProblemException.class);
    }
  }

  @Test
  void specialBlocksNeedARangeInsideThemAndACatchAllIsNotEnough() {
    AdminUrlPolicy catchAll = new AdminUrlPolicy(List.of("0.0.0.0/0", "::/0"));
    assertThat(catchAll.refusal("8.8.8.8")).isNull();
    assertThat(catchAll.refusal("127.0.0.1")).isNotNull();
    assertThat(catchAll.refusal("169.254.169.254")).isNotNull();
    assertThat(catchAll.refusal("::1")).isNotNull();
    AdminUrlPolicy loopback = new AdminUrlPolicy(List.of("127.0.0.0/8"));
    assertThat(loopback.refusal("127.0.0.1")).isNull();
    assertThat(loopback.refusal("localhost")).isNull();
    assertThat(loopback.refusal("10.0.0.1")).isNotNull();
    assertThat(loopback.refusal("169.254.169.254")).isNotNull();
  }
}
