package dev.spoq.dns.record.web;

import dev.spoq.common.auth.BearerToken;
import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.registry.CachingRegistryAuthenticator;
import dev.spoq.common.token.Tokens;
import dev.spoq.dns.address.ClientAddressResolver;
import dev.spoq.dns.address.IpLiterals;
import dev.spoq.dns.audit.DenialAudit;
import dev.spoq.dns.config.DnsProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Authenticates every API request before its body is read: the per-address rate limit first, then
 * the bearer credential of a kind the handler {@link Accepts}. A failure answers 401 and is audited
 * as {@code auth.failed}, aggregated per source address and window ({@link DenialAudit}).
 */
@Component
class DnsAuthentication implements HandlerInterceptor {

  private static final String DEVICE_TOKEN_PREFIX = "spoq_dev_";
  private static final List<String> KNOWN_SERVICES =
      List.of("relay-coordinator", "jump-router", "device-registry");
  private static final List<Caller.Kind> API_DOCS_READERS =
      List.of(Caller.Kind.API_KEY, Caller.Kind.SERVICE);

  private final CachingRegistryAuthenticator authenticator;
  private final ClientAddressResolver clientAddress;
  private final DnsRateLimits limits;
  private final DenialAudit denials;
  private final Map<String, String> serviceByTokenHash = new HashMap<>();

  DnsAuthentication(
      CachingRegistryAuthenticator authenticator,
      ClientAddressResolver clientAddress,
      DnsRateLimits limits,
      DenialAudit denials,
      DnsProperties properties) {
    this.authenticator = authenticator;
    this.clientAddress = clientAddress;
    this.limits = limits;
    this.denials = denials;
    properties
        .serviceTokens()
        .forEach(
            (service, token) -> {
              if (token != null && !token.isBlank()) {
                serviceByTokenHash.put(Tokens.hash(token.trim()), canonicalServiceName(service));
              }
            });
  }

  @Override
  public boolean preHandle(
      HttpServletRequest request, HttpServletResponse response, Object handler) {
    if (!(handler instanceof HandlerMethod method)) {
      return true;
    }
    Accepts accepts = method.getMethodAnnotation(Accepts.class);
    List<Caller.Kind> kinds;
    String detail;
    if (accepts != null) {
      kinds = Arrays.asList(accepts.value());
      detail = accepts.detail();
    } else if (request.getRequestURI().startsWith("/v3/api-docs")) {
      kinds = API_DOCS_READERS;
      detail = "An API key or service token is required to read the API document.";
    } else {
      return true;
    }
    InetAddress address =
        clientAddress
            .resolve(request)
            .orElseThrow(() -> ApiProblemException.invalid("The caller's address cannot be read."));
    String sourceIp = IpLiterals.canonical(address);
    String credential =
        BearerToken.parse(request.getHeader(HttpHeaders.AUTHORIZATION)).orElse(null);
    // A configured service (the coordinator's connect answer reads published records) calls from
    // one address on behalf of many clients: it is recognised locally, without a registry call,
    // and is not held to the per-address budget meant for devices and strangers.
    Optional<Caller> service =
        credential == null ? Optional.empty() : serviceCaller(credential, sourceIp, kinds);
    if (service.isPresent()) {
      request.setAttribute(Caller.REQUEST_ATTRIBUTE, service.get());
      return true;
    }
    limits.checkSourceIp(sourceIp);
    Optional<Caller> caller =
        credential == null ? Optional.empty() : authenticate(credential, sourceIp, kinds);
    if (caller.isEmpty()) {
      denials.deny(
          "auth.failed",
          "anonymous",
          request.getMethod() + " " + request.getRequestURI(),
          sourceIp,
          credential == null ? "no bearer credential" : "credential not valid here");
      throw ApiProblemException.unauthorized(detail);
    }
    request.setAttribute(Caller.REQUEST_ATTRIBUTE, caller.get());
    return true;
  }

  /**
   * The service's name as the rest of dns-api spells it. Set from the environment ({@code
   * SPOQ_DNS_SERVICETOKENS_RELAYCOORDINATOR}), relaxed binding yields the key {@code
   * relaycoordinator}; both spellings mean {@code relay-coordinator}.
   */
  static String canonicalServiceName(String configured) {
    String squashed = configured.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
    return KNOWN_SERVICES.stream()
        .filter(known -> known.replace("-", "").equals(squashed))
        .findFirst()
        .orElse(configured);
  }

  private Optional<Caller> serviceCaller(
      String credential, String sourceIp, List<Caller.Kind> kinds) {
    if (!kinds.contains(Caller.Kind.SERVICE)) {
      return Optional.empty();
    }
    return Optional.ofNullable(serviceByTokenHash.get(Tokens.hash(credential)))
        .map(service -> new Caller.Service(service, sourceIp));
  }

  private Optional<Caller> authenticate(
      String credential, String sourceIp, List<Caller.Kind> kinds) {
    if (!Tokens.looksValid(credential)) {
      return Optional.empty();
    }
    if (credential.startsWith(DEVICE_TOKEN_PREFIX)) {
      return kinds.contains(Caller.Kind.DEVICE)
          ? authenticator.device(credential).map(d -> new Caller.Device(d, sourceIp))
          : Optional.empty();
    }
    return kinds.contains(Caller.Kind.API_KEY)
        ? authenticator.apiKey(credential).map(k -> new Caller.ApiKey(k, sourceIp))
        : Optional.empty();
  }
}
