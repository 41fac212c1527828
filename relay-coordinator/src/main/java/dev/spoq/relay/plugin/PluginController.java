package dev.spoq.relay.plugin;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.relay.config.RelaySecrets;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The endpoint frps calls for its HTTP server plugin ({@code [[httpPlugins]]} in frps.toml).
 *
 * <p>frps cannot send an Authorization header to a plugin, so the endpoint is protected by a secret
 * path segment ({@code spoq.relay.plugin-secret}, compared in constant time) and carries the
 * relay's id, so a NewProxy is checked against the port assigned on THAT relay: {@code POST
 * /frps-plugin/{secret}/{relayId}/handler?version=0.1.0&op=Login}. A wrong secret is a plain 404.
 * Keep the coordinator reachable from relays only (private network or TLS proxy).
 */
@RestController
class PluginController {

  private final PluginService plugin;
  private final RelaySecrets secrets;

  PluginController(PluginService plugin, RelaySecrets secrets) {
    this.plugin = plugin;
    this.secrets = secrets;
  }

  @PostMapping(
      path = "/frps-plugin/{secret}/{relayId}/handler",
      produces = MediaType.APPLICATION_JSON_VALUE)
  PluginResponse handle(
      @PathVariable String secret,
      @PathVariable String relayId,
      @RequestParam(value = "op", required = false) String queryOp,
      @RequestBody JsonNode body) {
    if (!secrets.pluginSecretMatches(secret)) {
      throw ApiProblemException.notFound("No such resource.");
    }
    return dispatch(plugin, relayId, queryOp, body);
  }

  /** Checks frps's request shape and decides (shared with {@link MtlsPluginController}). */
  static PluginResponse dispatch(
      PluginService plugin, String relayId, String queryOp, JsonNode body) {
    if (!relayId.matches("[a-z0-9][a-z0-9-]{0,31}")) {
      throw ApiProblemException.notFound("No such resource.");
    }
    if (body == null || !body.isObject()) {
      throw ApiProblemException.invalid("The body must be frps's plugin request object.");
    }
    JsonNode op = body.get("op");
    JsonNode content = body.get("content");
    if (op == null || !op.isString() || content == null || !content.isObject()) {
      throw ApiProblemException.invalid("The body needs 'op' (string) and 'content' (object).");
    }
    if (queryOp != null && !queryOp.equals(op.asString())) {
      throw ApiProblemException.invalid("The op in the query differs from the op in the body.");
    }
    return plugin.decide(relayId, op.asString(), content);
  }
}
