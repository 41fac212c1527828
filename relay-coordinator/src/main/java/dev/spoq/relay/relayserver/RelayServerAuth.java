package dev.spoq.relay.relayserver;

import dev.spoq.common.auth.BearerToken;
import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.token.Tokens;
import dev.spoq.relay.config.AuthenticatesFirst;
import dev.spoq.relay.fleet.FleetService;
import dev.spoq.relay.fleet.Relay;
import dev.spoq.relay.fleet.RelayRepository;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Authenticates relay-servers on {@code /internal/v1/relay-servers/{relayId}/**} before anything
 * else (so nothing about a body is revealed to a stranger): a relay token ({@code spoq_rls_...},
 * looked up by its SHA-256) of a spoq relay. A missing or unknown token is 401; a valid token used
 * for another relay's id is 404, as if that relay did not exist.
 */
@Component
class RelayServerAuth implements AuthenticatesFirst {

  static final String RELAY_ATTRIBUTE = RelayServerAuth.class.getName() + ".relay";

  private final RelayRepository relays;

  RelayServerAuth(RelayRepository relays) {
    this.relays = relays;
  }

  @Override
  public List<String> pathPatterns() {
    return List.of("/internal/v1/relay-servers/**");
  }

  @Override
  public boolean preHandle(
      HttpServletRequest request, HttpServletResponse response, Object handler) {
    if (request.getAttribute(RELAY_ATTRIBUTE) != null) {
      return true; // an async re-dispatch of an already authenticated long-poll
    }
    @SuppressWarnings("unchecked")
    Map<String, String> variables =
        (Map<String, String>) request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
    String relayId = variables == null ? null : variables.get("relayId");
    Relay relay = require(request.getHeader(BearerToken.HEADER));
    if (relayId == null || !relay.id().equals(relayId)) {
      throw ApiProblemException.notFound("No relay with that id.");
    }
    request.setAttribute(RELAY_ATTRIBUTE, relay);
    return true;
  }

  Relay require(String authorization) {
    String token =
        BearerToken.parse(authorization)
            .orElseThrow(
                () ->
                    ApiProblemException.unauthorized(
                        "Send the relay token as 'Authorization: Bearer spoq_rls_...'."));
    if (!Tokens.looksValid(token) || !token.startsWith(FleetService.RELAY_TOKEN_PREFIX + "_")) {
      throw ApiProblemException.unauthorized("The relay token is unknown or was rotated.");
    }
    return relays
        .findByTokenHash(Tokens.hash(token))
        .orElseThrow(
            () -> ApiProblemException.unauthorized("The relay token is unknown or was rotated."));
  }
}
