package dev.spoq.testsupport.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority made by a test (BouncyCastle, EC P-256): certificates for TLS
 * servers and clients, written as PKCS12 key stores and trust stores into the test's directory.
 * Nothing here is committed: every run makes new keys.
 */
public final class TestPki {

  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  /** A certificate and its key pair. */
  public record Issued(X509Certificate certificate, KeyPair keys, TestPki issuer) {

    /** A PKCS12 key store (alias "key") with this certificate, its chain and its key. */
    public Path writeKeyStore(Path file, String password) {
      try {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(
            "key",
            keys.getPrivate(),
            password.toCharArray(),
            new X509Certificate[] {certificate, issuer.certificate});
        return write(store, file, password);
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final String name;
  private final KeyPair keys;
  private final X509Certificate certificate;

  private TestPki(String name) {
    this.name = name;
    this.keys = newKeys();
    this.certificate = sign(keys, "CN=" + name, keys, "CN=" + name, true, null);
  }

  /** A new self-signed CA. */
  public static TestPki newCa(String name) {
    return new TestPki(name);
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** A leaf certificate (client and server use) with subject {@code CN=<cn>} and SAN DNS/IP. */
  public Issued issue(String cn, String... subjectAltNames) {
    KeyPair leaf = newKeys();
    return new Issued(
        sign(leaf, "CN=" + cn, keys, "CN=" + name, false, subjectAltNames), leaf, this);
  }

  /** A PKCS12 trust store holding this CA's certificate. */
  public Path writeTrustStore(Path file, String password) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("ca", certificate);
      return write(store, file, password);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path write(KeyStore store, Path file, String password)
      throws IOException, GeneralSecurityException {
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password.toCharArray());
    }
    return file;
  }

  private static KeyPair newKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(
      KeyPair subject,
      String subjectName,
      KeyPair issuer,
      String issuerName,
      boolean ca,
      String[] subjectAltNames) {
    try {
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              new X500Name(issuerName),
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(2))),
              new X500Name(subjectName),
              subject.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
      if (subjectAltNames != null && subjectAltNames.length > 0) {
        GeneralName[] names = new GeneralName[subjectAltNames.length];
        for (int i = 0; i < names.length; i++) {
          String n = subjectAltNames[i];
          names[i] =
              new GeneralName(
                  n.matches("[0-9.]+|[0-9a-fA-F:]+:[0-9a-fA-F:]*")
                      ? GeneralName.iPAddress
                      : GeneralName.dNSName,
                  n);
        }
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
      }
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a test certificate", e);
    }
  }
}
