package dev.spoq.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.testing.RunningRegistry;
import tools.jackson.databind.JsonNode;

/** Assertions on RFC 9457 answers: right status, problem JSON, nothing internal leaked. */
final class Problems {

  private Problems() {}

  static JsonNode assertProblem(RunningRegistry.Response response, int status) {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    assertThat(response.header("Content-Type")).contains("application/problem+json");
    JsonNode body = response.json();
    assertThat(body.get("status").asInt()).isEqualTo(status);
    assertThat(body.get("type").asString()).startsWith("https://spoq.dev/problems/");
    assertThat(body.get("title").asString()).isNotBlank();
    assertThat(response.body())
        .doesNotContainIgnoringCase("exception")
        .doesNotContainIgnoringCase("stack")
        .doesNotContainIgnoringCase("sql")
        .doesNotContain("org.springframework")
        .doesNotContain("dev.spoq");
    return body;
  }
}
