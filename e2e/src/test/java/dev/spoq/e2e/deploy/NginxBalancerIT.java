package dev.spoq.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.testsupport.netns.ExecResult;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.netns.Veth;
import dev.spoq.testsupport.process.ManagedProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped balancer config (deploy/proxy) run by the real nginx in a test namespace, in front of
 * two replica processes per service: every service is reachable through it (public TLS server,
 * internal listeners, SSH stream), a replica killed with SIGKILL costs no request, and only
 * idempotent requests are sent to the other replica once a replica dropped them (except the frps
 * plugin's ops, which are safe to repeat).
 */
@Tag("deploy")
class NginxBalancerIT {

  @TempDir Path tmp;
  private NetworkNamespace ns;
  private NetworkNamespace backend;
  private ShippedProxy proxy;
  private final Map<String, ManagedProcess> replicas = new HashMap<>();

  @BeforeEach
  void namespace() throws Exception {
    // The proxy in one namespace, the replicas behind a veth in another: the backend network of
    // docker-compose.yml with its fixed addresses.
    ns = NetworkNamespace.create("lb");
    backend = NetworkNamespace.create("lbreplicas");
    Veth link = Veth.connect(ns, ShippedProxy.PROXY_ADDRESS + "/24", backend, null);
    for (String address : ShippedProxy.REPLICAS.values()) {
      backend.addAddress(link.nameB(), address + "/24");
    }
    proxy = new ShippedProxy(ns, tmp.resolve("proxy"));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      replicas.values().forEach(ManagedProcess::close);
      proxy.close();
    } finally {
      try {
        backend.close();
      } finally {
        ns.close();
      }
    }
  }

  @Test
  void shippedConfigPassesNginxCheck() {
    ExecResult check = proxy.check();
    assertThat(check.ok()).as(check.output()).isTrue();
    assertThat(check.output()).contains("test is successful");
  }

  @Test
  void everyServiceIsReachableThroughTheBalancerAndSurvivesAKilledReplica() throws Exception {
    for (String name : ShippedProxy.REPLICAS.keySet()) {
      replica(name, "ok");
    }
    proxy.start();

    // Each family, through its internal listener and through the public TLS server, reaches both
    // of its replicas (round robin).
    assertThat(answeredBy(internal(8081, "GET", "/api/accounts"), 6))
        .containsExactlyInAnyOrder("device-registry-a", "device-registry-b");
    assertThat(answeredBy(internal(8082, "GET", "/internal/v1/dns/alice"), 6))
        .containsExactlyInAnyOrder("dns-api-a", "dns-api-b");
    assertThat(answeredBy(internal(8083, "GET", "/internal/v1/relay-servers/r1/jetsons"), 6))
        .containsExactlyInAnyOrder("relay-coordinator-a", "relay-coordinator-b");
    assertThat(answeredBy(tls("GET", "/api/jetsons/self/peers"), 6))
        .containsExactlyInAnyOrder("device-registry-a", "device-registry-b");
    assertThat(answeredBy(tls("POST", "/api/dns/update"), 6))
        .containsExactlyInAnyOrder("dns-api-a", "dns-api-b");
    assertThat(answeredBy(tls("GET", "/api/connect/alice"), 6))
        .containsExactlyInAnyOrder("relay-coordinator-a", "relay-coordinator-b");
    assertThat(answeredBy(tls("GET", "/internal/v1/relay-servers/r1/jetsons?wait=0"), 6))
        .containsExactlyInAnyOrder("relay-coordinator-a", "relay-coordinator-b");
    assertThat(answeredBy(ssh(), 6)).containsExactlyInAnyOrder("jump-router-a", "jump-router-b");
    // the SSH balancer names each client in a PROXY protocol header (the jump router trusts it)
    assertThat(replicas.get("jump-router-a").output()).contains("PROXY TCP4 127.0.0.1 ");
    // Service-only APIs stay off the public server.
    assertThat(curl(tls("GET", "/internal/v1/revocations")).status()).isEqualTo(404);
    assertThat(curl(tls("POST", "/frps-plugin/s/r1/handler")).status()).isEqualTo(404);
    assertThat(curl(tls("GET", "/actuator/prometheus")).status()).isEqualTo(404);
    assertThat(curl(internal(8081, "GET", "/actuator/health")).status()).isEqualTo(404);

    // kill -9 the a replica of every service: no request fails, GET or POST (a refused connect
    // is retried whatever the method, since nothing was sent).
    for (String name : List.of("device-registry-a", "dns-api-a", "relay-coordinator-a")) {
      kill(name);
    }
    kill("jump-router-a");
    assertThat(answeredBy(internal(8081, "GET", "/api/accounts"), 8))
        .containsExactly("device-registry-b");
    assertThat(answeredBy(internal(8081, "POST", "/api/jetsons/self/status"), 8))
        .containsExactly("device-registry-b");
    assertThat(answeredBy(tls("POST", "/api/dns/update"), 8)).containsExactly("dns-api-b");
    assertThat(answeredBy(internal(8083, "POST", "/frps-plugin/s/r1/handler"), 8))
        .containsExactly("relay-coordinator-b");
    assertThat(answeredBy(tls("GET", "/api/connect/alice"), 8))
        .containsExactly("relay-coordinator-b");
    assertThat(answeredBy(ssh(), 8)).containsExactly("jump-router-b");
  }

  @Test
  void aDroppedRequestIsRetriedOnlyWhenItIsIdempotentOrAnFrpsPluginOp() throws Exception {
    replica("device-registry-a", "drop");
    replica("device-registry-b", "ok");
    replica("relay-coordinator-a", "drop");
    replica("relay-coordinator-b", "ok");
    replica("dns-api-a", "ok");
    replica("dns-api-b", "ok");
    replica("jump-router-a", "ok");
    replica("jump-router-b", "ok");
    proxy.start();

    // POSTs first, while the dropping replica is still in rotation: a POST it received and
    // dropped answers 502 and is never sent to the other replica.
    int posts = 6;
    int failed = 0;
    for (int i = 0; i < posts; i++) {
      Answer a = curl(internal(8081, "POST", "/api/jetsons/self/status"));
      if (a.status() == 502) {
        failed++;
      } else {
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body()).startsWith("device-registry-b POST");
      }
    }
    long seenByA = count(replicas.get("device-registry-a").output(), "POST /api/jetsons");
    long seenByB = count(replicas.get("device-registry-b").output(), "POST /api/jetsons");
    assertThat(seenByA).as("the dropping replica got some POSTs").isPositive();
    assertThat(failed).as("each POST it dropped failed").isEqualTo((int) seenByA);
    assertThat(seenByA + seenByB).as("no POST was sent twice").isEqualTo(posts);

    // frps plugin ops are POSTs safe to repeat: every one succeeds, dropped ones on the other.
    for (int i = 0; i < posts; i++) {
      Answer a = curl(internal(8083, "POST", "/frps-plugin/s/r1/handler"));
      assertThat(a.status()).as(a.body()).isEqualTo(200);
      assertThat(a.body()).startsWith("relay-coordinator-b POST");
    }
    assertThat(count(replicas.get("relay-coordinator-a").output(), "POST /frps-plugin"))
        .isPositive();

    // Idempotent requests always succeed.
    for (int i = 0; i < 6; i++) {
      Answer a = curl(internal(8081, "GET", "/api/accounts"));
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.body()).startsWith("device-registry-b GET");
    }
  }

  @Test
  void anApplication503ReachesTheCallerAndNeverTakesAReplicaOut() throws Exception {
    // relay-coordinator answers 503 while it has no relay to offer: that is an answer, not a
    // broken replica. Counting it as a failure would take both replicas out after a few.
    replica("relay-coordinator-a", "unavailable");
    replica("relay-coordinator-b", "unavailable");
    for (String name : ShippedProxy.REPLICAS.keySet()) {
      if (!name.startsWith("relay-coordinator")) {
        replica(name, "ok");
      }
    }
    proxy.start();
    for (int i = 0; i < 10; i++) {
      Answer a = curl(tls("GET", "/api/relay/assignment"));
      assertThat(a.status()).as("attempt %d: %s", i, a.body()).isEqualTo(503);
      assertThat(a.body()).contains("GET /api/relay/assignment");
      Answer internalAnswer = curl(internal(8083, "GET", "/api/relay/assignment"));
      assertThat(internalAnswer.status()).isEqualTo(503);
    }
    // Each request reached exactly one replica (no retry of a 503), and both stayed in rotation.
    long seenByA = count(replicas.get("relay-coordinator-a").output(), "GET /api/relay");
    long seenByB = count(replicas.get("relay-coordinator-b").output(), "GET /api/relay");
    assertThat(seenByA + seenByB).isEqualTo(20);
    assertThat(seenByA).isPositive();
    assertThat(seenByB).isPositive();
  }

  private void replica(String name, String mode) throws InterruptedException {
    String address = ShippedProxy.REPLICAS.get(name);
    int port =
        name.startsWith("device-registry")
            ? 8081
            : name.startsWith("dns-api")
                ? 8082
                : name.startsWith("relay-coordinator") ? 8083 : 2222;
    String classes =
        Path.of(ReplicaStub.class.getProtectionDomain().getCodeSource().getLocation().getPath())
            .toString();
    ManagedProcess p =
        backend.start(
            name,
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classes,
                ReplicaStub.class.getName(),
                address,
                String.valueOf(port),
                name,
                mode),
            tmp.resolve(name + ".log"));
    replicas.put(name, p);
    for (int i = 0; i < 300 && !p.output().contains("listening " + name); i++) {
      assertThat(p.isAlive()).as(p.output()).isTrue();
      Thread.sleep(100);
    }
    assertThat(p.output()).contains("listening " + name);
  }

  private void kill(String name) throws InterruptedException {
    ManagedProcess p = replicas.get(name);
    ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
    for (int i = 0; i < 100 && p.isAlive(); i++) {
      Thread.sleep(50);
    }
    assertThat(p.isAlive()).isFalse();
  }

  private static List<String> internal(int port, String method, String path) {
    return List.of(
        "curl", "-s", "-X", method, "--data-binary", "{}", "http://127.0.0.1:" + port + path);
  }

  private static List<String> tls(String method, String path) {
    String host = ShippedProxy.API_HOST;
    return List.of(
        "curl",
        "-sk",
        "--resolve",
        host + ":443:127.0.0.1",
        "-X",
        method,
        "--data-binary",
        "{}",
        "https://" + host + path);
  }

  /** The jump router's port: a TCP stream, so any bytes reach a replica unchanged. */
  private static List<String> ssh() {
    return List.of("curl", "-s", "http://127.0.0.1:2222/");
  }

  /** Sends the request {@code times} times; every answer must be 200. Returns who answered. */
  private List<String> answeredBy(List<String> request, int times) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      Answer a = curl(request);
      assertThat(a.status()).as("%s -> %s", request, a.body()).isEqualTo(200);
      String name = a.body().split(" ")[0];
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }

  private Answer curl(List<String> request) {
    List<String> command = new ArrayList<>(request);
    command.addAll(1, List.of("--max-time", "20", "-w", "\n%{http_code}"));
    ExecResult r = ns.tryExec(command);
    String out = r.output().strip();
    int nl = out.lastIndexOf('\n');
    String status = nl < 0 ? out : out.substring(nl + 1);
    return new Answer(Integer.parseInt(status.strip()), nl < 0 ? "" : out.substring(0, nl));
  }

  private static long count(String text, String needle) {
    return text.lines().filter(l -> l.contains(needle)).count();
  }

  record Answer(int status, String body) {}
}
