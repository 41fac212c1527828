package dev.spoq.e2e.deploy;

import dev.spoq.e2e.RepoPaths;
import dev.spoq.e2e.harness.Ports;
import dev.spoq.testsupport.netns.ExecResult;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The proxy container's nginx, run for real inside a test namespace from the shipped files of
 * {@code deploy/proxy/} (nginx.conf, spoq.conf.template rendered like the image does,
 * internal.conf, stream.conf). Only the container's paths are moved into a scratch directory; the
 * replica names resolve through the namespace's {@code /etc/hosts} to loopback addresses, like
 * compose's extra_hosts does to the replicas' fixed addresses.
 */
final class ShippedProxy implements AutoCloseable {

  static final String API_HOST = "api.spoq.test";

  /** The proxy's address on the backend network (as in docker-compose.yml). */
  static final String PROXY_ADDRESS = "172.30.0.10";

  /** Replica name to its fixed backend address (as in docker-compose.yml's extra_hosts). */
  static final Map<String, String> REPLICAS = new LinkedHashMap<>();

  static {
    REPLICAS.put("device-registry-a", "172.30.0.21");
    REPLICAS.put("device-registry-b", "172.30.0.22");
    REPLICAS.put("dns-api-a", "172.30.0.31");
    REPLICAS.put("dns-api-b", "172.30.0.32");
    REPLICAS.put("relay-coordinator-a", "172.30.0.41");
    REPLICAS.put("relay-coordinator-b", "172.30.0.42");
    REPLICAS.put("jump-router-a", "172.30.0.51");
    REPLICAS.put("jump-router-b", "172.30.0.52");
  }

  private static final Path STREAM_MODULE = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");

  private final NetworkNamespace ns;
  private final Path hostsDir;
  private final Path dir;
  private final List<String> base;
  private ManagedProcess nginx;

  ShippedProxy(NetworkNamespace ns, Path dir) throws IOException {
    this.ns = ns;
    this.dir = dir;
    Path proxy = RepoPaths.root().resolve("deploy/proxy");
    for (String sub : List.of("conf.d", "logs", "certs", "tmp")) {
      Files.createDirectories(dir.resolve(sub));
    }
    makeCertificate();
    String template = Files.readString(proxy.resolve("spoq.conf.template"));
    template =
        template
            .replace("${SPOQ_API_HOST}", API_HOST)
            .replace("${SPOQ_TLS_CERT}", dir.resolve("certs/fullchain.pem").toString())
            .replace("${SPOQ_TLS_KEY}", dir.resolve("certs/privkey.pem").toString());
    Files.writeString(dir.resolve("conf.d/default.conf"), template);
    Files.copy(proxy.resolve("internal.conf"), dir.resolve("conf.d/internal.conf"));
    Files.copy(proxy.resolve("stream.conf"), dir.resolve("spoq-stream.conf"));
    String main =
        Files.readString(proxy.resolve("nginx.conf"))
            .replace("/etc/nginx/conf.d/", dir.resolve("conf.d") + "/")
            .replace("/etc/nginx/spoq-stream.conf", dir.resolve("spoq-stream.conf").toString())
            .replace("/var/log/nginx/", dir.resolve("logs") + "/")
            .replace("/var/run/nginx.pid", dir.resolve("nginx.pid").toString())
            .replace("user nginx;", "user root;");
    // The container's temp paths, moved here too (the image's defaults are under /var/cache).
    main =
        main.replace(
            "http {\n",
            "http {\n    client_body_temp_path %1$s/tmp/body;\n    proxy_temp_path %1$s/tmp/proxy;\n"
                    .formatted(dir)
                + "    fastcgi_temp_path %1$s/tmp/fastcgi;\n    uwsgi_temp_path %1$s/tmp/uwsgi;\n"
                    .formatted(dir)
                + "    scgi_temp_path %1$s/tmp/scgi;\n".formatted(dir));
    // The nginx image has the stream module built in; Debian ships it as a dynamic module.
    if (Files.exists(STREAM_MODULE)) {
      main = "load_module " + STREAM_MODULE + ";\n" + main;
    }
    main = "daemon off;\n" + main;
    Files.writeString(dir.resolve("nginx.conf"), main);

    hostsDir = Path.of("/etc/netns", ns.name());
    Files.createDirectories(hostsDir);
    StringBuilder hosts = new StringBuilder(Files.readString(Path.of("/etc/hosts")));
    hosts.append('\n');
    REPLICAS.forEach(
        (name, address) -> hosts.append(address).append(' ').append(name).append('\n'));
    Files.writeString(hostsDir.resolve("hosts"), hosts.toString(), StandardCharsets.UTF_8);

    base =
        List.of(
            Binaries.require("nginx", "nginx").toString(),
            "-p",
            dir.toString(),
            "-c",
            dir.resolve("nginx.conf").toString());
  }

  /** {@code nginx -t} on the rendered configuration. */
  ExecResult check() {
    List<String> command = new ArrayList<>(base);
    command.add("-t");
    return ns.tryExec(command);
  }

  ShippedProxy start() {
    ExecResult check = check();
    if (!check.ok()) {
      throw new IllegalStateException("nginx -t rejected the shipped config:\n" + check.output());
    }
    nginx = ns.start("nginx", base, dir.resolve("logs/nginx.out"));
    for (int port : List.of(443, 8081, 8082, 8083, 2222)) {
      Ports.awaitTcp(ns, port, nginx, Duration.ofSeconds(20));
    }
    return this;
  }

  String accessLog() throws IOException {
    Path log = dir.resolve("logs/access.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private void makeCertificate() throws IOException {
    Path c = dir.resolve("certs");
    ExecResult r =
        ns.tryExec(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=" + API_HOST,
            "-addext",
            "subjectAltName=DNS:" + API_HOST,
            "-keyout",
            c.resolve("privkey.pem").toString(),
            "-out",
            c.resolve("fullchain.pem").toString());
    if (!r.ok()) {
      throw new IllegalStateException("openssl: " + r.output());
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (nginx != null) {
        nginx.close();
      }
    } finally {
      Files.deleteIfExists(hostsDir.resolve("hosts"));
      Files.deleteIfExists(hostsDir);
    }
  }
}
