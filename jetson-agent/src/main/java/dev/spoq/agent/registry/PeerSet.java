package dev.spoq.agent.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.spoq.agent.util.Json;
import dev.spoq.agent.util.SecureFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/** The registry's peer set with its ETag; cached on disk so WireGuard comes up offline. */
public record PeerSet(@JsonProperty("etag") String etag, @JsonProperty("peers") List<Peer> peers) {

  private static final Logger log = LoggerFactory.getLogger(PeerSet.class);

  public static PeerSet empty() {
    return new PeerSet(null, List.of());
  }

  public static Optional<PeerSet> loadCache(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      PeerSet set = Json.MAPPER.readValue(file.toFile(), PeerSet.class);
      return Optional.of(set.peers() == null ? new PeerSet(null, List.of()) : set);
    } catch (JacksonException e) {
      log.warn(
          "peer cache {} is corrupt ({}); ignoring it, peers will be fetched from the registry",
          file,
          e.getOriginalMessage());
      return Optional.empty();
    }
  }

  public void saveCache(Path file) {
    SecureFiles.write(file, Json.MAPPER.writeValueAsString(this), false);
  }
}
