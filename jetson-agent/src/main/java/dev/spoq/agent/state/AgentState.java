package dev.spoq.agent.state;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.spoq.agent.config.ConfigException;
import dev.spoq.agent.util.Json;
import dev.spoq.agent.util.SecureFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import tools.jackson.core.JacksonException;

/** What enrollment established: who this Jetson is. Stored as JSON next to the device token. */
public record AgentState(
    @JsonProperty("jetson_id") String jetsonId,
    @JsonProperty("subdomain") String subdomain,
    @JsonProperty("fqdn") String fqdn,
    @JsonProperty("hostname") String hostname,
    @JsonProperty("public_key") String publicKey,
    @JsonProperty("address") String address,
    @JsonProperty("listen_port") int listenPort,
    @JsonProperty("enrolled_at") Instant enrolledAt) {

  public static Optional<AgentState> load(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      AgentState state = Json.MAPPER.readValue(file.toFile(), AgentState.class);
      if (state.jetsonId() == null || state.publicKey() == null) {
        throw new ConfigException(
            "state file " + file + " is incomplete (no jetson_id/public_key); run 'spoq enroll'");
      }
      return Optional.of(state);
    } catch (JacksonException e) {
      throw new ConfigException(
          "state file "
              + file
              + " is corrupt ("
              + e.getOriginalMessage()
              + "); keys were left untouched; re-run 'spoq enroll <code>' to rewrite it",
          e);
    }
  }

  public static AgentState require(Path file) {
    return load(file)
        .orElseThrow(
            () ->
                new ConfigException(
                    "this Jetson is not enrolled (no " + file + "); run 'spoq enroll <code>'"));
  }

  public void save(Path file) {
    SecureFiles.write(
        file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this), true);
  }
}
