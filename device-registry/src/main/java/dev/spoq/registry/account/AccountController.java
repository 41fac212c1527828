package dev.spoq.registry.account;

import dev.spoq.registry.config.RegistryProperties;
import dev.spoq.registry.security.ApiKeyCaller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Accounts, for the web app: admins create them; an account key sees only its own. */
@RestController
@RequestMapping("/api/accounts")
class AccountController {

  record CreateAccountRequest(
      @NotNull @Pattern(regexp = Names.USERNAME_REGEX, message = Names.USERNAME_MESSAGE)
          String username,
      @NotNull @Pattern(regexp = Names.LABEL_REGEX, message = Names.LABEL_MESSAGE) String subdomain,
      @NotNull Product product) {}

  record AccountResponse(
      UUID id,
      String username,
      String subdomain,
      String fqdn,
      Product product,
      Instant createdAt) {}

  private final AccountService accounts;
  private final RegistryProperties properties;

  AccountController(AccountService accounts, RegistryProperties properties) {
    this.accounts = accounts;
    this.properties = properties;
  }

  @PostMapping
  ResponseEntity<AccountResponse> create(
      ApiKeyCaller caller, @Valid @RequestBody CreateAccountRequest request) {
    Account account =
        accounts.create(caller, request.username(), request.subdomain(), request.product());
    return ResponseEntity.created(URI.create("/api/accounts/" + account.username()))
        .body(response(account));
  }

  @GetMapping
  List<AccountResponse> list(
      ApiKeyCaller caller,
      @RequestParam(defaultValue = "0") @Min(0) @Max(100000) int page,
      @RequestParam(defaultValue = "50") @Min(1) @Max(500) int size) {
    return accounts.list(caller, size, page * size).stream().map(this::response).toList();
  }

  @GetMapping("/{username}")
  AccountResponse get(ApiKeyCaller caller, @PathVariable String username) {
    return response(accounts.visible(caller, username, "account.read"));
  }

  private AccountResponse response(Account a) {
    return new AccountResponse(
        a.id(),
        a.username(),
        a.subdomain(),
        properties.fqdn(a.subdomain()),
        a.product(),
        a.createdAt());
  }
}
