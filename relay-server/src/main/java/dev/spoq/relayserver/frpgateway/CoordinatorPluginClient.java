package dev.spoq.relayserver.frpgateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Calls the coordinator's mTLS plugin listener ({@code POST /frps-plugin-mtls/{relayId}/handler})
 * with this relay's client certificate, verifying the listener against the configured trust store.
 */
final class CoordinatorPluginClient {

  /** The coordinator's HTTP answer. */
  record Answer(int status, byte[] body) {}

  private final HttpClient http;
  private final URI handler;
  private final Duration timeout;

  CoordinatorPluginClient(FrpGatewayProperties p) {
    if (p.coordinatorUrl() == null || !p.coordinatorUrl().startsWith("https://")) {
      throw new IllegalStateException("spoq.frp-gateway.coordinator-url must be an https:// URL");
    }
    if (p.relayId() == null || !p.relayId().matches("[a-z0-9][a-z0-9-]{0,31}")) {
      throw new IllegalStateException("spoq.frp-gateway.relay-id must be this relay's id");
    }
    this.handler =
        URI.create(
            p.coordinatorUrl().replaceAll("/+$", "")
                + "/frps-plugin-mtls/"
                + p.relayId()
                + "/handler");
    this.timeout = p.timeout();
    this.http =
        HttpClient.newBuilder()
            .sslContext(sslContext(p))
            .connectTimeout(p.timeout())
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  Answer forward(String op, String reqid, byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    handler
                        + "?op="
                        + URLEncoder.encode(op, StandardCharsets.UTF_8)
                        + "&version=0.1.0"))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (reqid != null && reqid.matches("[A-Za-z0-9-]{1,64}")) {
      request.header("X-Frp-Reqid", reqid);
    }
    HttpResponse<byte[]> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Answer(response.statusCode(), response.body());
  }

  private static SSLContext sslContext(FrpGatewayProperties p) {
    try {
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(p.keyStore(), p.keyStorePassword(), "key-store"), chars(p.keyStorePassword()));
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load(p.trustStore(), p.trustStorePassword(), "trust-store"));
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("spoq.frp-gateway TLS material is unusable: " + e, e);
    }
  }

  private static KeyStore load(String file, String password, String name)
      throws GeneralSecurityException {
    if (file == null || file.isBlank()) {
      throw new IllegalStateException("spoq.frp-gateway." + name + " is required");
    }
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, chars(password));
      return store;
    } catch (IOException e) {
      throw new IllegalStateException("spoq.frp-gateway." + name + " cannot be read: " + file, e);
    }
  }

  private static char[] chars(String password) {
    return password == null ? new char[0] : password.toCharArray();
  }
}
