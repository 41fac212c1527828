package dev.spoq.dns.provider.cloudflare;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.spoq.dns.provider.cloudflare.CloudflareApiException.ApiError;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small typed client of the Cloudflare API v4 (zones and DNS records), authenticated with an API
 * token ({@code Authorization: Bearer}). Every answer is read through the documented envelope
 * {@code {success, errors[{code,message}], messages, result, result_info}}. The token is never
 * logged nor put into an exception message.
 */
public class CloudflareClient {

  private static final MediaType JSON = MediaType.get("application/json");
  private static final int PAGE_SIZE = 100;
  private static final int MAX_PAGES = 50;

  /** A DNS record as Cloudflare returns it. */
  public record DnsRecord(
      String id,
      String type,
      String name,
      String content,
      int ttl,
      boolean proxied,
      String comment) {}

  /** Body of POST/PATCH {@code /zones/{zone_id}/dns_records}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record RecordBody(
      String type, String name, String content, int ttl, boolean proxied, String comment) {}

  private final HttpUrl baseUrl;
  private final String apiToken;
  private final OkHttpClient http;
  private final JsonMapper json;
  private final Clock clock;

  public CloudflareClient(
      String baseUrl, String apiToken, Duration connectTimeout, Duration readTimeout, Clock clock) {
    HttpUrl parsed = HttpUrl.parse(baseUrl);
    if (parsed == null) {
      throw new IllegalArgumentException("spoq.dns.cloudflare.base-url is not an http(s) URL");
    }
    if (apiToken == null || apiToken.isBlank()) {
      throw new IllegalArgumentException("spoq.dns.cloudflare.api-token is not set");
    }
    this.baseUrl = parsed;
    this.apiToken = apiToken.trim();
    this.clock = clock;
    this.http =
        new OkHttpClient.Builder()
            .connectTimeout(connectTimeout)
            .readTimeout(readTimeout)
            .writeTimeout(readTimeout)
            .callTimeout(connectTimeout.plus(readTimeout))
            .retryOnConnectionFailure(false)
            .followRedirects(false)
            .build();
    this.json =
        JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  }

  /**
   * {@code GET /zones?name=<zone>&status=active}: the id of the active zone of exactly that name,
   * empty when this token sees none. Each result's name and status are checked, not only trusted to
   * the filter.
   */
  public Optional<String> findZoneId(String zoneName) {
    HttpUrl url =
        url("zones")
            .addQueryParameter("name", zoneName)
            .addQueryParameter("status", "active")
            .build();
    JsonNode result = send("zone lookup", request(url).get().build()).path("result");
    if (!result.isArray()) {
      throw CloudflareErrors.garbled("zone lookup", 200);
    }
    for (JsonNode zone : result) {
      if (zoneName.equalsIgnoreCase(zone.path("name").asString(""))
          && "active".equals(zone.path("status").asString(""))
          && zone.hasNonNull("id")) {
        return Optional.of(zone.path("id").asString());
      }
    }
    return Optional.empty();
  }

  /**
   * {@code GET /zones/{zone_id}/dns_records?type=&name=}: records of one type and exact name, all
   * pages: it pages until a page comes back short, as cloudflare-go does, and does not trust {@code
   * result_info.total_pages}.
   */
  public List<DnsRecord> listRecords(String zoneId, String type, String name) {
    List<DnsRecord> records = new ArrayList<>();
    for (int page = 1; page <= MAX_PAGES; page++) {
      HttpUrl url =
          url("zones", zoneId, "dns_records")
              .addQueryParameter("type", type)
              .addQueryParameter("name", name)
              .addQueryParameter("page", Integer.toString(page))
              .addQueryParameter("per_page", Integer.toString(PAGE_SIZE))
              .build();
      JsonNode envelope = send("record lookup", request(url).get().build());
      JsonNode result = envelope.path("result");
      if (!result.isArray()) {
        throw CloudflareErrors.garbled("record lookup", 200);
      }
      for (JsonNode r : result) {
        records.add(toRecord(r));
      }
      if (result.size() < PAGE_SIZE) {
        break;
      }
    }
    return records;
  }

  /** {@code POST /zones/{zone_id}/dns_records}. */
  public DnsRecord createRecord(String zoneId, RecordBody body) {
    HttpUrl url = url("zones", zoneId, "dns_records").build();
    JsonNode envelope = send("record create", request(url).post(jsonBody(body)).build());
    return toRecord(envelope.path("result"));
  }

  /** {@code PATCH /zones/{zone_id}/dns_records/{dns_record_id}}. */
  public DnsRecord patchRecord(String zoneId, String recordId, RecordBody body) {
    HttpUrl url = url("zones", zoneId, "dns_records", recordId).build();
    JsonNode envelope = send("record update", request(url).patch(jsonBody(body)).build());
    return toRecord(envelope.path("result"));
  }

  /** {@code DELETE /zones/{zone_id}/dns_records/{dns_record_id}}. */
  public void deleteRecord(String zoneId, String recordId) {
    HttpUrl url = url("zones", zoneId, "dns_records", recordId).build();
    send("record delete", request(url).delete().build());
  }

  private HttpUrl.Builder url(String... segments) {
    HttpUrl.Builder builder = baseUrl.newBuilder();
    for (String s : segments) {
      builder.addPathSegment(s);
    }
    return builder;
  }

  private Request.Builder request(HttpUrl url) {
    return new Request.Builder()
        .url(url)
        .header("Authorization", "Bearer " + apiToken)
        .header("Accept", "application/json");
  }

  private RequestBody jsonBody(Object body) {
    return RequestBody.create(json.writeValueAsBytes(body), JSON);
  }

  private JsonNode send(String operation, Request request) {
    try (Response response = http.newCall(request).execute()) {
      int status = response.code();
      JsonNode envelope = readEnvelope(response.body());
      List<ApiError> errors = errors(envelope);
      boolean success = envelope != null && envelope.path("success").asBoolean(false);
      if (status >= 200 && status <= 299 && success) {
        return envelope;
      }
      if (envelope == null && status >= 200 && status <= 299) {
        throw CloudflareErrors.garbled(operation, status);
      }
      if (envelope == null && status != 429 && status < 500) {
        throw CloudflareErrors.garbled(operation, status);
      }
      return throwError(operation, status, errors, response.header("retry-after"));
    } catch (IOException e) {
      throw CloudflareErrors.unreachable(operation, e);
    }
  }

  private JsonNode throwError(
      String operation, int status, List<ApiError> errors, String retryAfter) {
    throw CloudflareErrors.fromAnswer(
        operation, status == 200 ? 400 : status, errors, retryAfter, clock.instant());
  }

  private JsonNode readEnvelope(ResponseBody body) throws IOException {
    if (body == null) {
      return null;
    }
    byte[] bytes = body.bytes();
    if (bytes.length == 0) {
      return null;
    }
    try {
      JsonNode node = json.readTree(bytes);
      return node != null && node.isObject() && node.has("success") ? node : null;
    } catch (JacksonException e) {
      return null;
    }
  }

  private static List<ApiError> errors(JsonNode envelope) {
    List<ApiError> errors = new ArrayList<>();
    if (envelope == null) {
      return errors;
    }
    for (JsonNode e : envelope.path("errors")) {
      errors.add(new ApiError(e.path("code").asInt(0), e.path("message").asString(null)));
    }
    return errors;
  }

  private static DnsRecord toRecord(JsonNode r) {
    if (r == null || !r.isObject() || !r.hasNonNull("id")) {
      throw CloudflareErrors.garbled("record read", 200);
    }
    return new DnsRecord(
        r.path("id").asString(),
        r.path("type").asString(),
        r.path("name").asString(),
        r.path("content").asString(),
        r.path("ttl").asInt(1),
        r.path("proxied").asBoolean(false),
        r.path("comment").asString(null));
  }
}
