package dev.spoq.relay.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.relay.support.RelayServiceTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * Many Jetsons asking at once: no port is ever handed out twice on a relay, no relay passes its
 * capacity, and the database constraint itself refuses a duplicate.
 */
class AssignmentConcurrencyTest extends RelayServiceTest {

  @Autowired AssignmentService assignments;

  @Test
  void concurrentAssignmentsNeverShareAPortOrPassCapacity() throws Exception {
    relay("us-1", "us", 41000, 41099, 100);
    relay("us-2", "us", 41000, 41199, 80); // capacity below its range
    health.pollAll();

    List<UUID> jetsons = new ArrayList<>();
    for (int i = 0; i < 230; i++) {
      jetsons.add(UUID.randomUUID());
    }
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<String>> results = new ArrayList<>();
    try {
      for (UUID j : jetsons) {
        Callable<String> task =
            () -> {
              try {
                return assignments.place(j).relay().id();
              } catch (ApiProblemException e) {
                return "none";
              }
            };
        results.add(pool.submit(task));
      }
      int none = 0;
      for (Future<String> f : results) {
        if (f.get().equals("none")) {
          none++;
        }
      }
      assertThat(none).isEqualTo(50);
    } finally {
      pool.shutdownNow();
    }

    assertThat(
            jdbc.sql(
                    "SELECT count(*) FROM (SELECT relay_id, remote_port FROM assignment"
                        + " GROUP BY relay_id, remote_port HAVING count(*) > 1) d")
                .query(Integer.class)
                .single())
        .isZero();
    Map<String, Object> perRelay =
        jdbc
            .sql("SELECT relay_id, count(*) FROM assignment GROUP BY relay_id")
            .query()
            .listOfRows()
            .stream()
            .collect(
                java.util.stream.Collectors.toMap(
                    r -> (String) r.get("relay_id"), r -> r.get("count")));
    assertThat(perRelay).containsEntry("us-1", 100L).containsEntry("us-2", 80L);
    assertThat(
            jdbc.sql(
                    "SELECT count(*) FROM assignment a JOIN relay r ON r.id = a.relay_id"
                        + " WHERE a.remote_port NOT BETWEEN r.port_range_start AND r.port_range_end")
                .query(Integer.class)
                .single())
        .isZero();

    // asking again changes nothing (sticky)
    UUID first = jetsons.get(0);
    var before = assignments.current(first);
    if (before.isPresent()) {
      var again = assignments.place(first);
      assertThat(again.changed()).isFalse();
      assertThat(again.assignment().remotePort()).isEqualTo(before.get().remotePort());
    }
  }

  @Test
  void theDatabaseItselfRefusesADuplicatePort() throws Exception {
    relay("us-1", "us", 41000, 41099, 100);
    health.pollAll();
    UUID a = UUID.randomUUID();
    var placed = assignments.place(a);
    int port = placed.assignment().remotePort();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                jdbc.sql(
                        "INSERT INTO assignment (jetson_id, relay_id, remote_port, reason) VALUES (?, 'us-1', ?, 'x')")
                    .params(UUID.randomUUID(), port)
                    .update())
        .isInstanceOf(DataIntegrityViolationException.class)
        .hasMessageContaining("assignment_port_unique");
  }

  @Test
  void freedPortsAreReusedLowestFirst() throws Exception {
    relay("us-1", "us", 41000, 41009, 10);
    health.pollAll();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      UUID id = UUID.randomUUID();
      ids.add(id);
      assertThat(assignments.place(id).assignment().remotePort()).isEqualTo(41000 + i);
    }
    jdbc.sql("DELETE FROM assignment WHERE jetson_id IN (?, ?)")
        .params(ids.get(1), ids.get(3))
        .update();
    assertThat(assignments.place(UUID.randomUUID()).assignment().remotePort()).isEqualTo(41001);
    assertThat(assignments.place(UUID.randomUUID()).assignment().remotePort()).isEqualTo(41003);
    assertThat(assignments.place(UUID.randomUUID()).assignment().remotePort()).isEqualTo(41005);
  }
}
