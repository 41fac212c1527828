package dev.spoq.relay.relayserver;

import dev.spoq.relay.assignment.RelayCredentials;
import dev.spoq.relay.config.RelaySecrets;
import dev.spoq.relay.protocol.SessionKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Service;

/**
 * The Jetson set of a spoq relay (contract C2): the Jetsons assigned to it and not revoked, each
 * with its WireGuard public key (from the registry) and its session key (contract C1). The version
 * is a digest of the stored set and of the credential key, so every coordinator replica computes
 * the same version for the same set, and an ETag from one replica is valid on another.
 */
@Service
public class JetsonSets {

  /** One member as relay-server receives it. */
  public record Member(String jetsonId, String publicKey, String sessionKey) {}

  /** The body of {@code GET /internal/v1/relay-servers/{relayId}/jetsons}. */
  public record JetsonSet(String version, List<Member> jetsons) {}

  private final RelayServerRepository repository;
  private final RelayCredentials credentials;
  private final String keyFingerprint;
  private final Map<String, JetsonSet> built = new ConcurrentHashMap<>();

  JetsonSets(RelayServerRepository repository, RelayCredentials credentials, RelaySecrets secrets) {
    this.repository = repository;
    this.credentials = credentials;
    this.keyFingerprint = HexFormat.of().formatHex(sha256(secrets.credentialKey()));
  }

  /** The current version of the relay's set (one indexed query, no key derivation). */
  public String version(String relayId) {
    String digest = repository.fingerprint(relayId);
    return HexFormat.of()
        .formatHex(sha256((keyFingerprint + ":" + digest).getBytes(StandardCharsets.US_ASCII)))
        .substring(0, 32);
  }

  /** The relay's set at its current version (rebuilt only when the version changed). */
  public JetsonSet current(String relayId) {
    String version = version(relayId);
    JetsonSet cached = built.get(relayId);
    if (cached != null && cached.version().equals(version)) {
      return cached;
    }
    List<Member> members = new ArrayList<>();
    for (RelayServerRepository.Member m : repository.members(relayId)) {
      String credential = credentials.credentialAt(m.jetsonId(), m.generation());
      members.add(
          new Member(
              m.jetsonId().toString(),
              m.publicKey(),
              Base64.getEncoder().encodeToString(SessionKeys.derive(credential))));
    }
    // Labelled with the version read BEFORE the rows: if the set moved in between, the relay's
    // next long-poll sees a newer version at once and fetches again.
    JetsonSet set = new JetsonSet(version, List.copyOf(members));
    built.put(relayId, set);
    return set;
  }

  void forget(String relayId) {
    built.remove(relayId);
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }
}
