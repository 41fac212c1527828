package dev.spoq.e2e.harness;

import dev.spoq.e2e.RepoPaths;
import dev.spoq.testsupport.netns.ExecResult;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The deployment's TLS-terminating reverse proxy, for real: nginx with {@code
 * deploy/proxy/spoq.conf.template} rendered exactly like the nginx image does (only the {@code
 * SPOQ_*} variables), a certificate for the API host signed by a CA made for this run, and the
 * compose service names resolving to the services in the same namespace.
 */
public final class TlsProxy implements AutoCloseable {

  private final Path dir;
  private final EtcOverlay hosts;
  private final ManagedProcess nginx;

  public TlsProxy(NetworkNamespace ns, Path workDir, String apiHost) {
    this(ns, workDir, apiHost, null);
  }

  /**
   * @param replicaAddresses null: one copy of each service in the proxy's own namespace (the
   *     upstream names resolve to loopback); else the addresses of the replica hosts a and b: the
   *     proxy then also runs the deployment's balancer listeners ({@code
   *     deploy/proxy/internal.conf} for service-to-service HTTP, {@code deploy/proxy/stream.conf}
   *     for the jump router's SSH)
   */
  public TlsProxy(NetworkNamespace ns, Path workDir, String apiHost, String[] replicaAddresses) {
    Path nginxBin = Binaries.require("nginx", "nginx");
    dir = workDir.resolve("proxy");
    try {
      for (String sub : List.of("certs", "logs", "tmp")) {
        Files.createDirectories(dir.resolve(sub));
      }
      if (!Files.exists(caCertificate())) {
        makeCertificates(apiHost);
      }
      String template =
          Files.readString(RepoPaths.root().resolve("deploy/proxy/spoq.conf.template"));
      Map<String, String> env =
          Map.of(
              "SPOQ_API_HOST", apiHost,
              "SPOQ_TLS_CERT", dir.resolve("certs/fullchain.pem").toString(),
              "SPOQ_TLS_KEY", dir.resolve("certs/privkey.pem").toString());
      for (Map.Entry<String, String> e : env.entrySet()) {
        template = template.replace("${" + e.getKey() + "}", e.getValue());
      }
      Files.writeString(dir.resolve("spoq.conf"), template);
      boolean balancer = replicaAddresses != null;
      String internal = "";
      String stream = "";
      if (balancer) {
        Path deployProxy = RepoPaths.root().resolve("deploy/proxy");
        Files.copy(
            deployProxy.resolve("internal.conf"),
            dir.resolve("internal.conf"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(
            deployProxy.resolve("stream.conf"),
            dir.resolve("stream.conf"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        internal = "  include %1$s/internal.conf;\n".formatted(dir);
        stream =
            """
            stream {
              log_format ssh '$remote_addr [$time_local] $status upstream=$upstream_addr '
                             'sent=$bytes_sent received=$bytes_received session=$session_time';
              access_log %1$s/logs/stream.log ssh;
              include %1$s/stream.conf;
            }
            """
                .formatted(dir);
      }
      // What the nginx image's own nginx.conf provides around conf.d, with paths of this run.
      Files.writeString(
          dir.resolve("nginx.conf"),
          """
          %2$s
          daemon off;
          user root;
          worker_processes 1;
          pid %1$s/nginx.pid;
          error_log stderr notice;
          events { worker_connections 256; }
          http {
            access_log %1$s/logs/access.log;
            client_body_temp_path %1$s/tmp/body;
            proxy_temp_path %1$s/tmp/proxy;
            fastcgi_temp_path %1$s/tmp/fastcgi;
            uwsgi_temp_path %1$s/tmp/uwsgi;
            scgi_temp_path %1$s/tmp/scgi;
            default_type application/octet-stream;
            include %1$s/spoq.conf;
          %3$s}
          %4$s
          """
              .formatted(
                  dir, balancer ? "load_module " + STREAM_MODULE + ";" : "", internal, stream));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // In compose the upstreams are service names; here the services share the proxy's namespace.
    hosts = new EtcOverlay(ns.name()).extend("hosts", hostsLines(replicaAddresses));
    List<String> base =
        List.of(
            nginxBin.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString());
    ExecResult check = ns.tryExec(concat(base, "-t"));
    if (!check.ok()) {
      hosts.close();
      throw new IllegalStateException("nginx -t rejected the proxy config:\n" + check.output());
    }
    nginx = ns.start("nginx", base, dir.resolve("logs/nginx.log"));
    Ports.awaitTcp(ns, 443, nginx, Duration.ofSeconds(20));
  }

  private static final String STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so";
  private static final List<String> SERVICES =
      List.of("device-registry", "dns-api", "relay-coordinator", "jump-router");

  /**
   * The compose names, as the proxy resolves them: the services and their replicas {@code -a} and
   * {@code -b}. With one copy of each they all are loopback.
   */
  private static String hostsLines(String[] replicaAddresses) {
    StringBuilder out = new StringBuilder();
    if (replicaAddresses == null) {
      out.append("127.0.0.1");
      for (String s : SERVICES) {
        out.append(' ').append(s).append(' ').append(s).append("-a ").append(s).append("-b");
      }
      return out.append('\n').toString();
    }
    for (int i = 0; i < replicaAddresses.length; i++) {
      out.append(replicaAddresses[i]);
      for (String s : SERVICES) {
        out.append(' ').append(s).append('-').append((char) ('a' + i));
      }
      out.append('\n');
    }
    return out.toString();
  }

  private void makeCertificates(String host) throws IOException {
    Path c = dir.resolve("certs");
    Files.writeString(
        c.resolve("server.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
            + "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:"
            + host
            + "\n");
    Commands.run(
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=Spoq e2e test CA",
            "-keyout",
            c.resolve("ca.key").toString(),
            "-out",
            c.resolve("ca.pem").toString()));
    Commands.run(
        List.of(
            "openssl",
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=" + host,
            "-keyout",
            c.resolve("privkey.pem").toString(),
            "-out",
            c.resolve("server.csr").toString()));
    Commands.run(
        List.of(
            "openssl",
            "x509",
            "-req",
            "-in",
            c.resolve("server.csr").toString(),
            "-CA",
            c.resolve("ca.pem").toString(),
            "-CAkey",
            c.resolve("ca.key").toString(),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            c.resolve("server.ext").toString(),
            "-out",
            c.resolve("fullchain.pem").toString()));
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(List.of(b));
    return all;
  }

  /**
   * The CA as a PKCS12 trust store for a JVM ({@code javax.net.ssl.trustStore}), password
   * "spoq-e2e".
   */
  public Path javaTrustStore() {
    Path store = dir.resolve("certs/truststore.p12");
    if (!Files.exists(store)) {
      Commands.run(
          List.of(
              "keytool",
              "-importcert",
              "-noprompt",
              "-alias",
              "spoq-e2e-ca",
              "-file",
              caCertificate().toString(),
              "-keystore",
              store.toString(),
              "-storetype",
              "PKCS12",
              "-storepass",
              "spoq-e2e"));
    }
    return store;
  }

  /** nginx's access log so far (client address first on each line). */
  public String accessLog() {
    try {
      Path log = dir.resolve("logs/access.log");
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The CA a client must trust to verify the proxy's certificate. */
  public Path caCertificate() {
    return dir.resolve("certs/ca.pem");
  }

  @Override
  public void close() {
    try {
      nginx.close();
    } finally {
      hosts.close();
    }
  }
}
