package dev.spoq.relay.plugin;

import dev.spoq.common.registry.RevocationEvent;
import dev.spoq.common.registry.RevocationFeed;
import dev.spoq.relay.assignment.AssignmentService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Applies the registry's pushed revocations (contract C4) here: the feed itself evicts revoked
 * device tokens and API keys from the authentication cache; a revoked Jetson is refused by the frps
 * plugin at its next Ping and leaves its relay-server's Jetson set (held long-polls answer within
 * about a second). Started once the service is ready.
 */
@Component
class RevocationFollower {

  private static final Logger log = LoggerFactory.getLogger(RevocationFollower.class);

  private final RevocationFeed feed;
  private final RevocationCache cache;
  private final AssignmentService assignments;

  RevocationFollower(RevocationFeed feed, RevocationCache cache, AssignmentService assignments) {
    this.feed = feed;
    this.cache = cache;
    this.assignments = assignments;
    feed.addListener(this::onRevocation);
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    feed.start();
  }

  void onRevocation(RevocationEvent event) {
    if (RevocationEvent.JETSON.equals(event.kind()) && event.jetsonId() != null) {
      cache.markRevoked(event.jetsonId());
      boolean left = assignments.markRevoked(event.jetsonId());
      log.info(
          "jetson {} revoked at the registry: frps plugin refuses it{}",
          event.jetsonId(),
          left ? ", removed from its relay-server's Jetson set" : "");
    }
  }
}
