package dev.spoq.jump.upstream;

import dev.spoq.common.registry.ContainerRoute;
import dev.spoq.jump.config.JumpProperties;
import dev.spoq.jump.ssh.CryptoPolicy;
import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's SSH client towards containers (direct login). It authenticates with the router's own
 * ed25519 key only, and accepts the container only if it presents exactly the host key recorded in
 * the user's route: an unknown or changed key refuses the connection.
 */
public class UpstreamConnector implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(UpstreamConnector.class);
  private static final AttributeKey<PublicKey> EXPECTED_HOST_KEY = new AttributeKey<>();

  private final JumpProperties.Upstream config;
  private final KeyPair clientKey;
  private final SshClient client;

  public UpstreamConnector(JumpProperties.Upstream config, KeyPair clientKey) {
    this.config = config;
    this.clientKey = clientKey;
    this.client = SshClient.setUpDefaultClient();
    CryptoPolicy.apply(client, ClientBuilder.DH2KEX);
    client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    client.setServerKeyVerifier(recordedHostKeyOnly());
    CoreModuleProperties.IO_CONNECT_TIMEOUT.set(client, config.connectTimeout());
    CoreModuleProperties.AUTH_TIMEOUT.set(client, config.authTimeout());
    client.start();
  }

  private static ServerKeyVerifier recordedHostKeyOnly() {
    return (session, address, presented) -> {
      PublicKey expected = session.getConnectionContext().getAttribute(EXPECTED_HOST_KEY);
      boolean ok = expected != null && KeyUtils.compareKeys(expected, presented);
      if (!ok) {
        log.warn(
            "container {} presented host key {} but the route records {}: refusing",
            address,
            KeyUtils.getFingerPrint(presented),
            expected == null ? "none" : KeyUtils.getFingerPrint(expected));
      }
      return ok;
    };
  }

  /** The account to log in as on the container. */
  public String loginUserFor(String username) {
    return config.loginUser() == null || config.loginUser().isBlank()
        ? username
        : config.loginUser();
  }

  /**
   * An authenticated session to the container.
   *
   * @throws IOException if the container cannot be reached, its host key is not the recorded one,
   *     or it does not accept the router's key
   */
  public ClientSession open(ContainerRoute route, String username) throws IOException {
    PublicKey expected = parseHostKey(route);
    ClientSession session =
        client
            .connect(
                loginUserFor(username),
                route.host(),
                route.port(),
                AttributeRepository.ofKeyValuePair(EXPECTED_HOST_KEY, expected),
                null)
            .verify(config.connectTimeout())
            .getSession();
    try {
      session.addPublicKeyIdentity(clientKey);
      session.auth().verify(config.authTimeout());
      return session;
    } catch (IOException | RuntimeException e) {
      session.close(true);
      throw e;
    }
  }

  private static PublicKey parseHostKey(ContainerRoute route) throws IOException {
    if (route.hostKey() == null || route.hostKey().isBlank()) {
      throw new IOException("the route records no host key for the container");
    }
    try {
      return AuthorizedKeyEntry.parseAuthorizedKeyEntry(route.hostKey().trim())
          .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
    } catch (Exception e) {
      throw new IOException("the route's host key cannot be parsed", e);
    }
  }

  @Override
  public void close() {
    try {
      client.stop();
    } catch (RuntimeException e) {
      log.debug("stopping upstream client: {}", e.getMessage());
    }
  }
}
