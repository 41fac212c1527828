package dev.spoq.relay.plugin;

import dev.spoq.relay.assignment.AssignmentRepository;
import dev.spoq.relay.assignment.FrpcConfigRenderer;
import dev.spoq.relay.assignment.ProxyNames;
import dev.spoq.relay.assignment.RelayCredentials;
import dev.spoq.relay.audit.Audit;
import dev.spoq.relay.audit.DenialAudit;
import dev.spoq.relay.auth.AuthFailureLimiter;
import dev.spoq.relay.fleet.RelayRepository;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

/**
 * The decisions behind frps's HTTP server plugin. Field names are frp's (see the frp project's
 * doc/server_plugin.md): Login content carries {@code user}, {@code metas}, {@code run_id}, {@code
 * client_address}...; NewProxy, Ping and CloseProxy carry {@code user: {user, metas, run_id}} plus
 * their own fields ({@code proxy_name}, {@code proxy_type}, {@code remote_port}).
 */
@Service
class PluginService {

  private static final Logger log = LoggerFactory.getLogger(PluginService.class);

  private final RelayRepository relays;
  private final PluginRepository repository;
  private final AssignmentRepository assignments;
  private final RevocationCache revocations;
  private static final String LOGIN_SOURCE = "frp-login:";

  private final Audit audit;
  private final Clock clock;
  private final DenialAudit denials;
  private final AuthFailureLimiter loginLimiter;
  private final PendingLogins pendingLogins = new PendingLogins();

  PluginService(
      RelayRepository relays,
      PluginRepository repository,
      AssignmentRepository assignments,
      RevocationCache revocations,
      Audit audit,
      Clock clock,
      DenialAudit denials,
      AuthFailureLimiter loginLimiter) {
    this.denials = denials;
    this.loginLimiter = loginLimiter;
    this.relays = relays;
    this.repository = repository;
    this.assignments = assignments;
    this.revocations = revocations;
    this.audit = audit;
    this.clock = clock;
  }

  /** A refusal with the Jetson it concerns (when known). */
  private record Refusal(String reason, UUID jetsonId) {}

  /** Outcome of the credential checks shared by every op. */
  private record Identity(PluginRepository.Holder holder, Refusal refusal) {}

  PluginResponse decide(String relayId, String op, JsonNode content) {
    var relay = relays.find(relayId);
    if (relay.isEmpty()) {
      return refuse(
          relayId,
          op,
          content,
          new Refusal("this relay is not registered at the Spoq relay coordinator", null));
    }
    if (relay.get().isSpoq()) {
      return refuse(
          relayId,
          op,
          content,
          new Refusal("this relay is registered as a spoq relay-server, not as frps", null));
    }
    return switch (op) {
      case "Login" -> login(relayId, content);
      case "NewProxy" -> newProxy(relayId, content);
      case "Ping" -> ping(relayId, content);
      case "CloseProxy" -> closeProxy(relayId, content);
      // Not configured in deploy/frp/frps.toml; harmless if an operator adds them.
      case "NewWorkConn", "NewUserConn" -> PluginResponse.ALLOW;
      default -> PluginResponse.reject("unsupported plugin op");
    };
  }

  private PluginResponse login(String relayId, JsonNode content) {
    String source = LOGIN_SOURCE + Audit.ipOnly(emptyToNull(text(content, "client_address")));
    if (loginLimiter.blocked(source)) {
      denials.deny(
          "relay.plugin.denied",
          "unknown",
          text(content, "client_address"),
          "relay:" + relayId + " Login",
          "too many refused logins from this address");
      return PluginResponse.reject("too many refused logins from this address; retry later");
    }
    if (!text(content, "user").isEmpty()) {
      return refuse(
          relayId,
          "Login",
          content,
          new Refusal(
              "frpc must not set 'user' (Spoq proxy names are spoq-<jetsonId>); use the coordinator's frpc config",
              null));
    }
    Identity id = identify(relayId, content.path("metas"), false);
    if (id.refusal() != null) {
      return refuse(relayId, "Login", content, id.refusal());
    }
    UUID jetsonId = id.holder().jetsonId();
    assignments.markLogin(jetsonId, clock.instant());
    // frps checks its own auth.token only AFTER this answer: the Login is recorded as allowed
    // when a NewProxy of the same frpc session (run_id) follows (see newProxy).
    pendingLogins.remember(text(content, "run_id"), text(content, "client_address"));
    return PluginResponse.ALLOW;
  }

  private PluginResponse newProxy(String relayId, JsonNode content) {
    JsonNode user = content.path("user");
    Identity id = identify(relayId, user.path("metas"), false);
    if (id.refusal() != null) {
      return refuse(relayId, "NewProxy", content, id.refusal());
    }
    UUID jetsonId = id.holder().jetsonId();
    String type = text(content, "proxy_type");
    String name = text(content, "proxy_name");
    JsonNode portNode = content.path("remote_port");
    int port = portNode.isIntegralNumber() ? portNode.asInt() : 0;
    String reason = null;
    if (!"udp".equals(type)) {
      reason = "only 'udp' proxies are allowed on Spoq relays";
    } else if (!ProxyNames.of(jetsonId).equals(name)) {
      reason = "proxy name must be " + ProxyNames.of(jetsonId) + " for this Jetson";
    } else if (!Integer.valueOf(port).equals(id.holder().remotePort())) {
      reason =
          "remote port "
              + port
              + " is not assigned to this Jetson (its port on this relay is "
              + id.holder().remotePort()
              + ")";
    }
    if (reason != null) {
      return refuse(relayId, "NewProxy", content, new Refusal(reason, jetsonId));
    }
    assignments.markProxy(jetsonId, true, clock.instant());
    String runId = text(user, "run_id");
    repository.eventOnce(relayId, jetsonId, "Login", null, runId, pendingLogins.take(runId));
    repository.eventOnce(relayId, jetsonId, "NewProxy", name, runId, null);
    return PluginResponse.ALLOW;
  }

  private PluginResponse ping(String relayId, JsonNode content) {
    Identity id = identify(relayId, content.path("user").path("metas"), true);
    if (id.refusal() != null) {
      return refuse(relayId, "Ping", content, id.refusal());
    }
    return PluginResponse.ALLOW;
  }

  private PluginResponse closeProxy(String relayId, JsonNode content) {
    JsonNode user = content.path("user");
    String name = text(content, "proxy_name");
    String credential = text(user.path("metas"), FrpcConfigRenderer.CREDENTIAL_META);
    Optional<PluginRepository.Holder> holder =
        RelayCredentials.looksLikeCredential(credential)
            ? repository.holder(credential)
            : Optional.empty();
    UUID jetsonId =
        holder
            .map(PluginRepository.Holder::jetsonId)
            .or(() -> ProxyNames.jetson(name))
            .orElse(null);
    if (jetsonId != null
        && holder.isPresent()
        && relayId.equals(holder.get().relayId())
        && ProxyNames.of(jetsonId).equals(name)) {
      assignments.markProxy(jetsonId, false, clock.instant());
    }
    repository.event(relayId, jetsonId, "CloseProxy", name, true, null, text(user, "run_id"), null);
    return PluginResponse.ALLOW;
  }

  private Identity identify(String relayId, JsonNode metas, boolean ping) {
    String credential = text(metas, FrpcConfigRenderer.CREDENTIAL_META);
    if (!RelayCredentials.looksLikeCredential(credential)) {
      return refused(
          "missing or malformed relay credential (metadatas."
              + FrpcConfigRenderer.CREDENTIAL_META
              + ")",
          null);
    }
    Optional<PluginRepository.Holder> found = repository.holder(credential);
    if (found.isEmpty()) {
      return refused("invalid relay credential (unknown or rotated)", null);
    }
    PluginRepository.Holder holder = found.get();
    switch (revocations.check(holder.jetsonId(), ping)) {
      case REVOKED -> {
        return refused("this Jetson has been revoked", holder.jetsonId());
      }
      case UNKNOWN -> {
        return refused("this Jetson is unknown to the registry", holder.jetsonId());
      }
      case UNAVAILABLE -> {
        return refused("the registry cannot be reached; try again shortly", holder.jetsonId());
      }
      case ACTIVE -> {}
    }
    if (holder.relayId() == null) {
      return refused(
          "this Jetson has no relay assignment; fetch GET /api/relay/assignment",
          holder.jetsonId());
    }
    if (!holder.relayId().equals(relayId)) {
      return refused(
          "this Jetson is assigned to relay " + holder.relayId() + ", not this one",
          holder.jetsonId());
    }
    return new Identity(holder, null);
  }

  private static Identity refused(String reason, UUID jetsonId) {
    return new Identity(null, new Refusal(reason, jetsonId));
  }

  private PluginResponse refuse(String relayId, String op, JsonNode content, Refusal refusal) {
    log.debug("frps plugin {} on relay {} refused: {}", op, relayId, refusal.reason());
    String clientAddress = "Login".equals(op) ? emptyToNull(text(content, "client_address")) : null;
    if ("NewProxy".equals(op) || "CloseProxy".equals(op)) {
      // Only reachable with a valid credential: kept per event, for the Jetson's history.
      repository.event(
          relayId,
          refusal.jetsonId(),
          op,
          text(content, "proxy_name"),
          false,
          refusal.reason(),
          text(content.path("user"), "run_id"),
          null);
    }
    if ("Login".equals(op)) {
      // Anyone who reaches frps's port causes a Login: counted per source, never one row each.
      loginLimiter.recordFailure(LOGIN_SOURCE + Audit.ipOnly(clientAddress));
    }
    denials.deny(
        "relay.plugin.denied",
        refusal.jetsonId() == null ? "unknown" : "jetson:" + refusal.jetsonId(),
        clientAddress,
        "relay:" + relayId + " " + op,
        refusal.reason());
    return PluginResponse.reject(refusal.reason());
  }

  static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value != null && value.isString() ? value.asString() : "";
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }
}
