package dev.spoq.common.web.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.web.ProblemDetailsAdvice;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The auto-configuration every service gets from common, on a real embedded Tomcat. Requests are
 * written on a raw socket so that hostile paths and headers reach the server byte for byte.
 */
@SpringBootTest(
    classes = SpoqWebAutoConfigurationTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "management.endpoints.web.exposure.include=health,info,metrics",
      "management.endpoint.health.probes.enabled=true",
      "spring.mvc.problemdetails.enabled=false"
    })
class SpoqWebAutoConfigurationTest {

  static final String ADMIN = "admin-token";
  static final String ACCOUNT = "account-token";

  @SpringBootApplication
  static class App {
    record Body(String name, int count, boolean flag, double ratio) {}

    @RestController
    static class EchoController {
      @PostMapping("/api/echo")
      Map<String, Object> echo(@RequestBody Body body) {
        return Map.of("name", String.valueOf(body.name()), "count", body.count());
      }
    }

    @RestControllerAdvice
    static class Advice extends ProblemDetailsAdvice {}

    @Bean
    ActuatorAccess testActuatorAccess() {
      return token ->
          switch (token) {
            case ADMIN -> ActuatorAccess.Verdict.ALLOWED;
            case ACCOUNT -> ActuatorAccess.Verdict.FORBIDDEN;
            default -> ActuatorAccess.Verdict.UNAUTHENTICATED;
          };
    }
  }

  @Value("${local.server.port}")
  int port;

  record Raw(int status, String headers, String body) {}

  // ---- actuator guard (issue 13 items 1 and 5) ----

  @Test
  void managementEndpointsNeedAnAdminKeyHealthIsOpen() throws IOException {
    assertThat(get("/actuator/health", null).status()).isEqualTo(200);
    assertThat(get("/actuator/health/liveness", null).status()).isEqualTo(200);
    assertProblem(get("/actuator/metrics", null), 401);
    assertThat(get("/actuator/metrics", null).headers())
        .containsIgnoringCase("WWW-Authenticate: Bearer");
    assertProblem(get("/actuator/metrics", "Bearer nonsense"), 401);
    assertProblem(get("/actuator/metrics", "Bearer " + ACCOUNT), 403);
    assertProblem(get("/actuator", "Bearer " + ACCOUNT), 403);
    assertThat(get("/actuator/metrics", "Bearer " + ADMIN).status()).isEqualTo(200);
  }

  @Test
  void encodedActuatorPathIsGuardedLikeThePlainOne() throws IOException {
    // routing decodes %61 to 'a': the guard must see the same path
    assertProblem(get("/%61ctuator/metrics", "Bearer " + ACCOUNT), 403);
    assertProblem(get("/%61ctuator/metrics", null), 401);
    assertProblem(get("/actuator/%6detrics", "Bearer " + ACCOUNT), 403);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/actuator;x/metrics",
        "/actuator/metrics;jsessionid=1",
        "/actuator/%2e%2e/actuator/metrics",
        "/actuator/%2E/metrics",
        "//actuator/metrics",
        "/api/../actuator/metrics",
        "/actuator/./metrics",
        "/actuator%3bx/metrics",
        "/actuator/%252e/metrics",
        "/actuator\\metrics"
      })
  void ambiguousPathsAreRefusedAtTheEdge(String path) throws IOException {
    Raw answer = get(path, "Bearer " + ACCOUNT);
    assertThat(answer.status()).as(path).isEqualTo(400);
    assertThat(answer.headers()).as(path).containsIgnoringCase("application/problem+json");
    assertThat(answer.body()).doesNotContain("<html").doesNotContain("metrics");
  }

  // ---- problem bodies where Tomcat answers by itself (issue 13 item 12) ----

  @ParameterizedTest
  @ValueSource(strings = {"/api/accounts/a%2fb", "/api/accounts/a%00b", "/api/accounts/a%2Fb"})
  void tomcatRefusalsAreProblemJson(String path) throws IOException {
    Raw answer = get(path, null);
    assertThat(answer.status()).as(path).isEqualTo(400);
    assertProblemBody(answer);
  }

  @Test
  void oversizedAuthorizationHeaderIsProblemJson() throws IOException {
    Raw answer = get("/api/echo", "Bearer " + "a".repeat(8 * 1024));
    assertThat(answer.status()).isIn(400, 431);
    assertProblemBody(answer);
  }

  @Test
  void unknownPathIsProblemJson() throws IOException {
    assertProblem(get("/nothing/here", null), 404);
  }

  // ---- strict JSON (issue 13 item 11) ----

  @Test
  void wellTypedJsonIsAccepted() throws IOException {
    Raw answer = post("{\"name\":\"alice\",\"count\":2,\"flag\":true,\"ratio\":1.5}");
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.body()).contains("\"alice\"");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"name\":true}",
        "{\"name\":123}",
        "{\"name\":1.5}",
        "{\"count\":1.5}",
        "{\"count\":\"5\"}",
        "{\"count\":true}",
        "{\"flag\":1}",
        "{\"flag\":\"true\"}",
        "{\"ratio\":\"1.5\"}",
        "{\"count\":null}",
        "{\"name\":\"a\",\"name\":\"b\"}",
        "{\"name\":\"a\"} {\"name\":\"b\"}"
      })
  void coercionDuplicatesAndTrailingTokensAreRefused(String json) throws IOException {
    Raw answer = post(json);
    assertThat(answer.status()).as(json).isEqualTo(400);
    assertProblemBody(answer);
  }

  @Test
  void byteOrderMarkIsRefused() throws IOException {
    byte[] json = "{\"name\":\"alice\"}".getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[json.length + 3];
    withBom[0] = (byte) 0xEF;
    withBom[1] = (byte) 0xBB;
    withBom[2] = (byte) 0xBF;
    System.arraycopy(json, 0, withBom, 3, json.length);
    Raw answer = send("POST", "/api/echo", null, withBom);
    assertThat(answer.status()).isEqualTo(400);
    assertProblemBody(answer);
  }

  // ---- helpers ----

  private static void assertProblem(Raw answer, int status) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertProblemBody(answer);
  }

  private static void assertProblemBody(Raw answer) {
    assertThat(answer.headers()).containsIgnoringCase("Content-Type: application/problem+json");
    assertThat(answer.body())
        .contains("\"status\":" + answer.status())
        .contains("\"type\":\"https://spoq.dev/problems/")
        .doesNotContain("<html")
        .doesNotContainIgnoringCase("exception")
        .doesNotContain("org.apache")
        .doesNotContain("tools.jackson");
  }

  private Raw get(String path, String authorization) throws IOException {
    return send("GET", path, authorization, null);
  }

  private Raw post(String json) throws IOException {
    return send("POST", "/api/echo", null, json.getBytes(StandardCharsets.UTF_8));
  }

  private Raw send(String method, String path, String authorization, byte[] body)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      StringBuilder head = new StringBuilder();
      head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
      head.append("Host: localhost\r\nConnection: close\r\nAccept: application/json\r\n");
      if (authorization != null) {
        head.append("Authorization: ").append(authorization).append("\r\n");
      }
      if (body != null) {
        head.append("Content-Type: application/json\r\n");
        head.append("Content-Length: ").append(body.length).append("\r\n");
      }
      head.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      String headers = split < 0 ? text : text.substring(0, split);
      String rest = split < 0 ? "" : text.substring(split + 4);
      int status = Integer.parseInt(headers.substring(9, 12));
      if (headers.toLowerCase().contains("transfer-encoding: chunked")) {
        rest = dechunk(rest);
      }
      return new Raw(status, headers, rest);
    }
  }

  private static String dechunk(String chunked) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < chunked.length()) {
      int eol = chunked.indexOf("\r\n", i);
      if (eol < 0) {
        break;
      }
      int size = Integer.parseInt(chunked.substring(i, eol).trim(), 16);
      if (size == 0) {
        break;
      }
      out.append(chunked, eol + 2, Math.min(chunked.length(), eol + 2 + size));
      i = eol + 2 + size + 2;
    }
    return out.toString();
  }
}
