package dev.spoq.relay.relayserver;

import dev.spoq.relay.config.RelayProperties;
import dev.spoq.relay.fleet.Relay;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** Whether a Jetson has a live agent session on its spoq relay (from the relay's reports). */
@Service
public class RelaySessions {

  /** A session reported within the report timeout. */
  public record Live(String agentAddress, Instant upSince, int clients, Instant reportedAt) {}

  private final RelayServerRepository repository;
  private final Duration timeout;
  private final Clock clock;

  RelaySessions(RelayServerRepository repository, RelayProperties properties, Clock clock) {
    this.repository = repository;
    this.timeout = properties.relay().spoq().reportTimeout();
    this.clock = clock;
  }

  public Optional<Live> live(Relay relay, UUID jetsonId) {
    if (!relay.isSpoq() || !relay.isUp()) {
      return Optional.empty();
    }
    return repository
        .liveSession(relay.id(), jetsonId, clock.instant().minus(timeout))
        .map(s -> new Live(s.agentAddress(), s.upSince(), s.clients(), s.reportedAt()));
  }
}
