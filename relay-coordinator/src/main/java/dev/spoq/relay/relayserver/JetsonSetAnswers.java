package dev.spoq.relay.relayserver;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** The two answers of the Jetson-set endpoint, with the version as a strong ETag. */
final class JetsonSetAnswers {

  private JetsonSetAnswers() {}

  static ResponseEntity<?> ok(JetsonSets.JetsonSet set) {
    return ResponseEntity.ok()
        .eTag("\"" + set.version() + "\"")
        .cacheControl(CacheControl.noStore())
        .body(set);
  }

  static ResponseEntity<?> notModified(String version) {
    return ResponseEntity.status(HttpStatus.NOT_MODIFIED)
        .eTag("\"" + version + "\"")
        .cacheControl(CacheControl.noStore())
        .build();
  }
}
