package dev.spoq.dns.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.dns.testing.CloudflareStub;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The bootstrap command end to end (its own Spring bootstrap) against the Cloudflare stub. */
class BootstrapCommandTest {

  private static final String TOKEN = "cf-bootstrap-token-123456";
  private final CloudflareStub stub = new CloudflareStub("spoq.dev", TOKEN);
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @AfterEach
  void stop() {
    assertThat(stub.violations()).isEmpty();
    stub.close();
  }

  private int run(String... extra) {
    out.reset();
    err.reset();
    List<String> args =
        new ArrayList<>(
            List.of(
                "--spoq.dns.provider=cloudflare",
                "--spoq.dns.cloudflare.base-url=" + stub.baseUrl(),
                "--spoq.dns.cloudflare.api-token=" + TOKEN,
                "--spoq.dns.bootstrap.web-address=93.184.216.34",
                "--spoq.dns.bootstrap.ssh-address=93.184.216.35",
                "--logging.structured.format.console="));
    args.addAll(List.of(extra));
    return BootstrapCommand.run(
        args.toArray(String[]::new),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void dryRunPrintsThePlanAndChangesNothing() {
    int status = run("--dry-run");

    assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(out())
        .contains("dry run")
        .containsPattern("CREATE +spoq.dev +A +93.184.216.34 +proxied")
        .containsPattern("CREATE +www.spoq.dev +CNAME +spoq.dev")
        .containsPattern("CREATE +api.spoq.dev +CNAME +spoq.dev")
        .containsPattern("CREATE +ssh.spoq.dev +A +93.184.216.35 +ttl 300")
        .containsPattern("CREATE +\\*.spoq.dev +CNAME +lb.spoq.dev +proxied")
        .contains("5 change(s) would be made");
    assertThat(stub.writeCount()).isZero();
    assertThat(stub.recordCount()).isZero();
  }

  @Test
  void applyingIsIdempotentAndRepairsWhatDiffers() {
    assertThat(run()).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(stub.recordCount()).isEqualTo(5);
    JsonNode wildcard = stub.records("CNAME", "*.spoq.dev").get(0);
    assertThat(wildcard.path("content").asString()).isEqualTo("lb.spoq.dev");
    assertThat(wildcard.path("proxied").asBoolean()).isTrue();
    assertThat(wildcard.path("ttl").asInt()).isEqualTo(1);
    JsonNode ssh = stub.records("A", "ssh.spoq.dev").get(0);
    assertThat(ssh.path("proxied").asBoolean()).isFalse();

    stub.clearCalls();
    assertThat(run()).isZero();
    assertThat(out())
        .contains("0 change(s) made")
        .doesNotContain("CREATE")
        .doesNotContain("UPDATE");
    assertThat(stub.writeCount()).isZero();

    stub.editByHand("A", "ssh.spoq.dev", "1.2.3.4");
    assertThat(run("--dry-run")).isZero();
    assertThat(out()).containsPattern("UPDATE +ssh.spoq.dev .*\\(now: 1.2.3.4");
    assertThat(run()).isZero();
    assertThat(stub.records("A", "ssh.spoq.dev").get(0).path("content").asString())
        .isEqualTo("93.184.216.35");
    assertThat(stub.recordCount()).isEqualTo(5);
  }

  @Test
  void helpAndBadArgumentsAndMissingSettings() {
    assertThat(BootstrapCommand.run(new String[] {"--help"}, new PrintStream(out), System.err))
        .isZero();
    assertThat(out()).contains("Usage:").contains("--dry-run");

    assertThat(
            BootstrapCommand.run(
                new String[] {"--frobnicate"}, System.out, new PrintStream(err, true)))
        .isEqualTo(2);

    err.reset();
    int status =
        BootstrapCommand.run(
            new String[] {
              "--spoq.dns.provider=cloudflare",
              "--spoq.dns.cloudflare.base-url=" + stub.baseUrl(),
              "--spoq.dns.cloudflare.api-token=" + TOKEN,
              "--logging.structured.format.console="
            },
            new PrintStream(out),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("spoq.dns.bootstrap.web-address is not set")
        .contains("spoq.dns.bootstrap.ssh-address is not set");
  }
}
