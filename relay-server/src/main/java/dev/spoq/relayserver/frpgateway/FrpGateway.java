package dev.spoq.relayserver.frpgateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's decisions: forward each frps plugin call to the coordinator and obey its answer (a
 * 200 with {@code reject: true} is final at once); when the coordinator cannot be reached (connect
 * error, timeout, 5xx), answer from the {@link StaleWindow}.
 */
final class FrpGateway {

  private static final Logger log = LoggerFactory.getLogger(FrpGateway.class);

  /** Ops a remembered, allowed session may perform from memory during an outage. */
  private static final Set<String> STALE_OPS = Set.of("Ping", "NewWorkConn", "NewUserConn");

  /** Ops whose coordinator verdict is remembered per session (Login has no final run_id yet). */
  private static final Set<String> REMEMBERED_OPS =
      Set.of("NewProxy", "Ping", "NewWorkConn", "NewUserConn");

  static final Set<String> OPS =
      Set.of(
          "Login", "NewProxy", "CloseProxy", "Ping", "NewWorkConn", "NewUserConn", "CloseUserConn");

  static final String ALLOW = "{\"reject\":false,\"unchange\":true}";

  private final CoordinatorPluginClient coordinator;
  private final StaleWindow memory;
  private final JsonMapper json;
  private final MeterRegistry meters;
  private final Counter outages;

  FrpGateway(
      CoordinatorPluginClient coordinator,
      StaleWindow memory,
      JsonMapper json,
      MeterRegistry meters) {
    this.coordinator = coordinator;
    this.memory = memory;
    this.json = json;
    this.meters = meters;
    this.outages = meters.counter("spoq.frp.gateway.outages");
    meters.gauge("spoq.frp.gateway.outage", memory, m -> m.inOutage() ? 1 : 0);
    meters.gauge("spoq.frp.gateway.sessions", memory, StaleWindow::size);
  }

  /** The answer body for frps (always sent with status 200). */
  String decide(String op, JsonNode content, byte[] rawBody, String reqid) {
    String session = sessionKey(op, content);
    CoordinatorPluginClient.Answer answer;
    String failure;
    try {
      answer = coordinator.forward(op, reqid, rawBody);
      failure = answer.status() >= 500 ? "HTTP " + answer.status() : null;
    } catch (HttpTimeoutException e) {
      answer = null;
      failure = "timeout";
    } catch (IOException e) {
      answer = null;
      failure = e.getClass().getSimpleName();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answer = null;
      failure = "interrupted";
    }
    if (failure == null) {
      return obey(op, session, answer);
    }
    return fromMemory(op, session, failure);
  }

  private String obey(String op, String session, CoordinatorPluginClient.Answer answer) {
    Duration outage = memory.coordinatorUp();
    if (outage != null) {
      log.info(
          "frp gateway: the relay coordinator answers again after {}s; stale window closed",
          outage.toSeconds());
    }
    if (answer.status() != 200) {
      // 4xx: misconfiguration (certificate CN, relay id, path) - fail closed, never from memory
      log.error(
          "frp gateway: the relay coordinator refused the gateway's {} call with HTTP {}; check"
              + " spoq.frp-gateway.relay-id and the client certificate",
          op,
          answer.status());
      count(op, "refused_by_coordinator_http");
      return reject("the Spoq relay coordinator refused this relay's plugin call");
    }
    JsonNode verdict;
    try {
      verdict = json.readTree(answer.body());
    } catch (RuntimeException e) {
      verdict = null;
    }
    if (verdict == null || !verdict.path("reject").isBoolean()) {
      // frps would read a missing "reject" as false (allow): never pass such an answer on
      count(op, "refused_bad_answer");
      return reject("the Spoq relay coordinator sent an unreadable answer");
    }
    boolean rejected = verdict.path("reject").asBoolean();
    if (session != null && REMEMBERED_OPS.contains(op)) {
      memory.remember(session, !rejected);
    }
    count(op, rejected ? "rejected" : "allowed");
    return new String(answer.body(), StandardCharsets.UTF_8);
  }

  private String fromMemory(String op, String session, String failure) {
    if (memory.coordinatorDown()) {
      outages.increment();
      log.warn(
          "frp gateway: the relay coordinator cannot be reached ({}); stale window open for {}s:"
              + " Ping/NewWorkConn/NewUserConn of sessions it allowed within the window are"
              + " allowed from memory, Login and NewProxy are refused",
          failure,
          memory.window().toSeconds());
    }
    if (memory.windowJustClosed()) {
      log.warn(
          "frp gateway: the relay coordinator has been unreachable for longer than the stale"
              + " window ({}s); failing closed: frps's heartbeatTimeout will close the sessions",
          memory.window().toSeconds());
    }
    if ("CloseProxy".equals(op) || "CloseUserConn".equals(op)) {
      count(op, "stale_allowed");
      return ALLOW; // notifications: nothing to authorise
    }
    if (STALE_OPS.contains(op) && session != null && memory.allowsFromMemory(session)) {
      count(op, "stale_allowed");
      return ALLOW;
    }
    count(op, "refused_unreachable");
    return reject("the Spoq relay coordinator cannot be reached; retry later");
  }

  private void count(String op, String outcome) {
    meters.counter("spoq.frp.gateway.calls", "op", op, "outcome", outcome).increment();
  }

  private String reject(String reason) {
    var body = json.createObjectNode();
    body.put("reject", true);
    body.put("reject_reason", reason);
    return json.writeValueAsString(body);
  }

  /**
   * A session is frps's run_id plus the frpc's credentials (metas): the same run_id with other
   * credentials is another session. Null when the content names no run_id.
   */
  static String sessionKey(String op, JsonNode content) {
    JsonNode user = "Login".equals(op) ? content : content.path("user");
    String runId = user.path("run_id").asString("");
    if (runId.isEmpty()) {
      return null;
    }
    try {
      byte[] metas = String.valueOf(user.get("metas")).getBytes(StandardCharsets.UTF_8);
      return runId
          + "/"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(metas));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
