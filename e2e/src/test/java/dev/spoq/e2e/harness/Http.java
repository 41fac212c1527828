package dev.spoq.e2e.harness;

import dev.spoq.testsupport.netns.ExecResult;
import dev.spoq.testsupport.netns.NetworkNamespace;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP from inside a namespace (the harness JVM has no route into the simulated internet): runs
 * {@code curl} there, like the web app or an operator would.
 */
public final class Http {

  public static final JsonMapper JSON = JsonMapper.builder().build();

  /** Status and body of an answer. */
  public record Response(int status, String body) {

    public JsonNode json() {
      return JSON.readTree(body);
    }

    public Response expect(int expected) {
      if (status != expected) {
        throw new IllegalStateException(
            "expected HTTP " + expected + " but got " + status + ": " + body);
      }
      return this;
    }
  }

  private Http() {}

  public static Response get(NetworkNamespace ns, String url, String bearer) {
    return call(ns, "GET", url, bearer, null);
  }

  public static Response post(NetworkNamespace ns, String url, String bearer, Object body) {
    return call(ns, "POST", url, bearer, body);
  }

  public static Response call(
      NetworkNamespace ns, String method, String url, String bearer, Object body) {
    return call(ns, method, url, bearer, body, List.of());
  }

  /** With extra curl arguments (e.g. {@code --cacert}, {@code -H}). */
  public static Response call(
      NetworkNamespace ns,
      String method,
      String url,
      String bearer,
      Object body,
      List<String> curlArgs) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "curl",
                "-sS",
                "--max-time",
                "15",
                "-X",
                method,
                "-w",
                "\n%{http_code}",
                "-H",
                "Accept: application/json"));
    if (bearer != null) {
      cmd.addAll(List.of("-H", "Authorization: Bearer " + bearer));
    }
    if (body != null) {
      String text = body instanceof String s ? s : JSON.writeValueAsString(body);
      cmd.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", text));
    }
    cmd.addAll(curlArgs);
    cmd.add(url);
    ExecResult r = ns.tryExec(cmd);
    if (!r.ok()) {
      throw new IllegalStateException(method + " " + url + " failed: " + r.output());
    }
    String out = r.output();
    int nl = out.lastIndexOf('\n');
    return new Response(
        Integer.parseInt(out.substring(nl + 1).trim()), out.substring(0, Math.max(nl, 0)));
  }
}
