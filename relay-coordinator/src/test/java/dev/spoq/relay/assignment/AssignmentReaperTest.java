package dev.spoq.relay.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.support.RelayServiceTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Ports of revoked or unknown Jetsons go back to the pool; active Jetsons keep theirs. */
class AssignmentReaperTest extends RelayServiceTest {

  @Autowired AssignmentReaper reaper;
  @Autowired AssignmentService assignments;

  @Test
  void releasesRevokedAndUnknownJetsonsOnly() throws Exception {
    relay("us-1", "us", 41000, 41099, 100);
    health.pollAll();
    RunningRegistry.EnrolledJetson kept = jetson("kept");
    RunningRegistry.EnrolledJetson revoked = jetson("gone");
    assertThat(call("GET", "/api/relay/assignment", kept.deviceToken(), null).status())
        .isEqualTo(200);
    assertThat(call("GET", "/api/relay/assignment", revoked.deviceToken(), null).status())
        .isEqualTo(200);
    UUID unknown = UUID.randomUUID();
    assignments.place(unknown);
    registry().revokeJetson(revoked.jetsonId());

    assertThat(reaper.reap()).isEqualTo(2);
    assertThat(assignments.current(kept.jetsonId())).isPresent();
    assertThat(assignments.current(revoked.jetsonId())).isEmpty();
    assertThat(assignments.current(unknown)).isEmpty();
    assertThat(
            jdbc.sql("SELECT count(*) FROM relay_credential WHERE jetson_id = ?")
                .param(revoked.jetsonId())
                .query(Integer.class)
                .single())
        .isZero();
    assertThat(reaper.reap()).isZero();
  }
}
