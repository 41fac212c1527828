package dev.spoq.registry.audit;

import dev.spoq.registry.security.ApiKeyCaller;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Paged audit trail, newest first: an admin key sees all, an account key its own account's. */
@RestController
class AuditController {

  private final AuditQueries queries;

  AuditController(AuditQueries queries) {
    this.queries = queries;
  }

  @GetMapping("/api/audit-events")
  AuditQueries.AuditPage list(
      ApiKeyCaller caller,
      @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int page,
      @RequestParam(defaultValue = "50") @Min(1) @Max(500) int size,
      @RequestParam(required = false) @Pattern(regexp = "^[a-z0-9._-]{1,100}$") String action,
      @RequestParam(required = false) @Pattern(regexp = "^(SUCCESS|FAILURE|DENIED)$")
          String outcome) {
    return queries.page(caller, page, size, action, outcome);
  }
}
