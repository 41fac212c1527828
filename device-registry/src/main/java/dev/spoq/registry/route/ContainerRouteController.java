package dev.spoq.registry.route;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.registry.account.Account;
import dev.spoq.registry.account.AccountService;
import dev.spoq.registry.account.Product;
import dev.spoq.registry.config.RegistryProperties;
import dev.spoq.registry.security.ApiKeyCaller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Cloud container routes (ops/orchestrator, admin key to change; the account may read its own) and
 * the {@code ~/.ssh/config} snippet for a Cloud account.
 */
@RestController
class ContainerRouteController {

  static final String HOST_REGEX =
      "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$";

  record SetRouteRequest(
      @NotNull
          @Size(max = 253)
          @Pattern(regexp = HOST_REGEX, message = "must be a host name or IPv4 address")
          String host,
      @NotNull @Min(1) @Max(65535) Integer port,
      @NotNull @Size(max = 8192) String hostKey) {}

  record RouteResponse(String username, String host, int port, String hostKey, Instant updatedAt) {}

  private final ContainerRouteService routes;
  private final AccountService accounts;
  private final RegistryProperties properties;

  ContainerRouteController(
      ContainerRouteService routes, AccountService accounts, RegistryProperties properties) {
    this.routes = routes;
    this.accounts = accounts;
    this.properties = properties;
  }

  @PutMapping("/api/accounts/{username}/container-route")
  RouteResponse set(
      ApiKeyCaller caller,
      @PathVariable String username,
      @Valid @RequestBody SetRouteRequest request) {
    return response(
        routes.set(caller, username, request.host(), request.port(), request.hostKey()));
  }

  @GetMapping("/api/accounts/{username}/container-route")
  RouteResponse get(ApiKeyCaller caller, @PathVariable String username) {
    return response(routes.get(caller, username));
  }

  @DeleteMapping("/api/accounts/{username}/container-route")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(ApiKeyCaller caller, @PathVariable String username) {
    routes.delete(caller, username);
  }

  /** The {@code Host spoq} block a Cloud user pastes into {@code ~/.ssh/config}. */
  @GetMapping(value = "/api/accounts/{username}/ssh-config", produces = MediaType.TEXT_PLAIN_VALUE)
  String sshConfig(ApiKeyCaller caller, @PathVariable String username) {
    Account account = accounts.visible(caller, username, "ssh-config.read");
    if (account.product() != Product.CLOUD) {
      throw ApiProblemException.conflict(
          "Account '" + username + "' is a JETSON account; its SSH goes over WireGuard.");
    }
    ContainerRouteService.ContainerRoute route =
        routes
            .find(account)
            .orElseThrow(
                () ->
                    ApiProblemException.notFound(
                        "Account '" + username + "' has no container yet (no container route)."));
    return SshConfigSnippet.render(account.username(), route, properties.jumpHost());
  }

  private static RouteResponse response(ContainerRouteService.ContainerRoute r) {
    return new RouteResponse(r.username(), r.host(), r.port(), r.hostKey(), r.updatedAt());
  }
}
