package dev.spoq.relay.connect;

import dev.spoq.relay.config.RelayProperties;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Contract C6: what DNS really publishes for a subdomain, read from dns-api's {@code GET
 * /internal/v1/dns/{subdomain}} with the coordinator's service token. Every failure (not
 * configured, unreachable, timeout, refused, malformed) is an {@link Answer#unavailable} answer, so
 * the caller can fail safe.
 */
@Component
class PublishedDns {

  private static final Logger log = LoggerFactory.getLogger(PublishedDns.class);
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The record as dns-api serves it; {@code published} is null when nothing is served yet. */
  record Record(InetAddress published, String path, String state) {
    boolean servesDirect() {
      return published != null && "direct".equals(path) && "applied".equals(state);
    }
  }

  /**
   * One of: {@code record} set (dns-api knows the name), {@code unknown} (dns-api answered 404), or
   * {@code unavailable} with a reason for the connect answer's notes.
   */
  record Answer(Record record, boolean unknown, String unavailable) {
    static Answer of(Record record) {
      return new Answer(record, false, null);
    }

    static Answer notPublished() {
      return new Answer(null, true, null);
    }

    static Answer failed(String why) {
      return new Answer(null, false, why);
    }
  }

  private final RelayProperties.DnsApi settings;
  private final HttpClient http;

  @Autowired
  PublishedDns(RelayProperties properties) {
    this(properties.relay().connect().dnsApi());
  }

  PublishedDns(RelayProperties.DnsApi settings) {
    this.settings = settings;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(settings.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  Answer lookup(String subdomain) {
    if (!settings.configured()) {
      return Answer.failed("dns-api is not configured (spoq.relay.connect.dns-api.base-url)");
    }
    if (subdomain == null || !LABEL.matcher(subdomain).matches()) {
      return Answer.notPublished();
    }
    String base = settings.baseUrl().replaceAll("/+$", "");
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/internal/v1/dns/" + subdomain))
            .timeout(settings.timeout())
            .header("Authorization", "Bearer " + settings.serviceToken())
            .header("Accept", "application/json")
            .GET()
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      log.warn("dns-api unreachable for the connect answer: {}", e.toString());
      return Answer.failed("dns-api is unreachable");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Answer.failed("interrupted while asking dns-api");
    }
    if (response.statusCode() == 404) {
      return Answer.notPublished();
    }
    if (response.statusCode() != 200) {
      log.warn("dns-api answered {} to the coordinator's internal read", response.statusCode());
      return Answer.failed("dns-api answered HTTP " + response.statusCode());
    }
    try {
      JsonNode body = JSON.readTree(response.body());
      if (!subdomain.equals(text(body.path("subdomain")))) {
        return Answer.failed("dns-api answered for another name");
      }
      return Answer.of(
          new Record(
              literal(text(body.path("publishedAddress"))),
              text(body.path("path")),
              text(body.path("state"))));
    } catch (RuntimeException e) {
      log.warn("dns-api answered an unreadable body: {}", e.toString());
      return Answer.failed("dns-api answered an unreadable body");
    }
  }

  private static String text(JsonNode node) {
    return node != null && node.isString() ? node.asString() : null;
  }

  /** An IP literal only: anything else (a name, garbage) counts as "nothing published". */
  static InetAddress literal(String text) {
    if (text == null || !IP_LITERAL.matcher(text).matches()) {
      return null;
    }
    if (!text.contains(":") && !text.matches("(\\d{1,3}\\.){3}\\d{1,3}")) {
      return null;
    }
    try {
      // Digits, dots and colons only: no DNS query is made.
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
