package dev.spoq.relay.plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.http11.Http11NioProtocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/**
 * The Tomcat connector of the mTLS plugin listener (see {@link PluginMtlsProperties}): TLS 1.2+,
 * client certificate required and verified against the relay CA.
 */
public final class PluginMtlsListener {

  private final Connector connector;

  PluginMtlsListener(PluginMtlsProperties p) {
    for (String file : new String[] {p.keyStore(), p.trustStore()}) {
      if (file == null || file.isBlank() || !Files.isReadable(Path.of(file))) {
        throw new IllegalStateException(
            "spoq.relay.plugin-mtls.key-store and trust-store must be readable PKCS12 files");
      }
    }
    connector = new Connector(Http11NioProtocol.class.getName());
    connector.setPort(p.port());
    connector.setScheme("https");
    connector.setSecure(true);
    connector.setProperty("address", p.address());
    Http11NioProtocol protocol = (Http11NioProtocol) connector.getProtocolHandler();
    protocol.setSSLEnabled(true);
    SSLHostConfig ssl = new SSLHostConfig();
    ssl.setProtocols("TLSv1.2+TLSv1.3");
    ssl.setCertificateVerification("required");
    ssl.setTruststoreFile(p.trustStore());
    ssl.setTruststorePassword(p.trustStorePassword());
    ssl.setTruststoreType("PKCS12");
    SSLHostConfigCertificate certificate =
        new SSLHostConfigCertificate(ssl, SSLHostConfigCertificate.Type.UNDEFINED);
    certificate.setCertificateKeystoreFile(p.keyStore());
    certificate.setCertificateKeystorePassword(p.keyStorePassword());
    certificate.setCertificateKeystoreType("PKCS12");
    ssl.addCertificate(certificate);
    protocol.addSslHostConfig(ssl);
  }

  Connector connector() {
    return connector;
  }

  /** The bound port (after start; differs from the configured one when that was 0). */
  public int port() {
    return connector.getLocalPort();
  }
}
