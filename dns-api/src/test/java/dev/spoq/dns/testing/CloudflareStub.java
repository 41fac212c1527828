package dev.spoq.dns.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An HTTP stub of the Cloudflare API v4 (the one third-party SaaS the tests may not run for real),
 * on OkHttp's MockWebServer. It keeps a zone's DNS records in memory and answers in the documented
 * envelope {@code {success, errors[{code,message}], messages, result, result_info}}. Every request
 * is checked (method, path, query, {@code Authorization: Bearer}, content type and JSON body:
 * required fields, their types, no unknown fields); anything off is answered 400 and listed in
 * {@link #violations()}, so tests can assert the client spoke the API correctly.
 *
 * <p>Failures can be injected ({@link #failNext}); {@link #stop()} and {@link #restart()} simulate
 * an outage on the same port, with the records kept.
 */
public final class CloudflareStub implements AutoCloseable {

  public static final String BASE_PATH = "/client/v4";

  /** One request as received. */
  public record Call(String method, String path, Map<String, String> query, String body) {
    public boolean isWrite() {
      return !method.equals("GET");
    }
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern RECORDS =
      Pattern.compile(BASE_PATH + "/zones/([0-9a-f]{32})/dns_records(?:/([0-9a-f]{32}))?");
  private static final Set<String> BODY_FIELDS =
      Set.of("type", "name", "content", "ttl", "proxied", "comment");
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Cloudflare's answer to a create or update that would duplicate a record with the same type,
   * name and content: 81058 "An identical record already exists." (81057 "Record already exists."
   * is the older code; tests inject it with {@link #apiError}).
   */
  public static final int IDENTICAL_RECORD_EXISTS = 81058;

  public static final int RECORD_ALREADY_EXISTS = 81057;

  private final String zoneName;
  private final String zoneId = newId();
  private final String apiToken;
  private final Map<String, ObjectNode> records = new LinkedHashMap<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<MockResponse> injected = new ConcurrentLinkedQueue<>();
  private MockWebServer server;
  private int port;
  private volatile boolean totalPagesUnderreported;

  public CloudflareStub(String zoneName, String apiToken) {
    this.zoneName = zoneName;
    this.apiToken = apiToken;
    start(0);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port + BASE_PATH;
  }

  public String zoneId() {
    return zoneId;
  }

  public int port() {
    return port;
  }

  /** Shuts the server down: connections are refused until {@link #restart()}. */
  public synchronized void stop() {
    try {
      server.shutdown();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Restarts the server if a test left it stopped. */
  public synchronized void restartIfStopped() {
    try (java.net.Socket probe = new java.net.Socket()) {
      probe.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
    } catch (IOException down) {
      start(port);
    }
  }

  /** A new server on the same port, same records. */
  public synchronized void restart() {
    start(port);
  }

  private void start(int onPort) {
    IOException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      MockWebServer s = new MockWebServer();
      s.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              return handle(request);
            }
          });
      try {
        s.start(InetAddress.getLoopbackAddress(), onPort);
        server = s;
        port = s.getPort();
        return;
      } catch (IOException e) {
        last = e;
        try {
          s.shutdown();
        } catch (IOException ignored) {
          // never started
        }
        sleep(100);
      }
    }
    throw new UncheckedIOException("cannot start the Cloudflare stub on port " + onPort, last);
  }

  /** Drops injected failures that no request consumed. */
  public void clearInjected() {
    injected.clear();
  }

  // ---- what tests use -------------------------------------------------------------------------

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  public long writeCount() {
    return calls.stream().filter(Call::isWrite).count();
  }

  public void clearCalls() {
    calls.clear();
  }

  public List<String> violations() {
    return List.copyOf(violations);
  }

  /** The records of a name and type, as Cloudflare would list them. */
  public synchronized List<JsonNode> records(String type, String name) {
    return records.values().stream()
        .filter(
            r -> r.path("type").asString().equals(type) && r.path("name").asString().equals(name))
        .map(r -> (JsonNode) r.deepCopy())
        .toList();
  }

  public synchronized int recordCount() {
    return records.size();
  }

  /** A change made by hand in the dashboard: sets the content of the name's record. */
  public synchronized void editByHand(String type, String name, String content) {
    ObjectNode r =
        records.values().stream()
            .filter(
                x ->
                    x.path("type").asString().equals(type)
                        && x.path("name").asString().equals(name))
            .findFirst()
            .orElseThrow();
    r.put("content", content);
  }

  /** A record created by hand in the dashboard (no managed-by comment). */
  public synchronized String createByHand(
      String type, String name, String content, int ttl, boolean proxied) {
    ObjectNode r = newRecord(type, name, content, ttl, proxied, null);
    records.put(r.path("id").asString(), r);
    return r.path("id").asString();
  }

  public synchronized void deleteByHand(String type, String name) {
    records
        .values()
        .removeIf(
            x -> x.path("type").asString().equals(type) && x.path("name").asString().equals(name));
  }

  /**
   * Answers {@code result_info.total_pages: 1} on every record list, as a client must not trust it
   * (cloudflare-go pages until a page comes back short).
   */
  public void underreportTotalPages(boolean on) {
    totalPagesUnderreported = on;
  }

  /** The next request (after its checks) gets this answer instead. */
  public void failNext(MockResponse response) {
    injected.add(response);
  }

  public static MockResponse rateLimited(int retryAfterSeconds) {
    return envelopeError(429, 971, "Please wait and consider throttling your request speed")
        .setHeader("retry-after", Integer.toString(retryAfterSeconds));
  }

  public static MockResponse serverError(int status) {
    return envelopeError(status, 10002, "An unknown error has occurred");
  }

  public static MockResponse apiError(int status, int code, String message) {
    return envelopeError(status, code, message);
  }

  // ---- the fake API ---------------------------------------------------------------------------

  private synchronized MockResponse handle(RecordedRequest request) {
    HttpUrl url = request.getRequestUrl();
    String method = request.getMethod();
    String body = request.getBody().readUtf8();
    Map<String, String> query = new LinkedHashMap<>();
    for (String name : url.queryParameterNames()) {
      query.put(name, url.queryParameter(name));
    }
    calls.add(new Call(method, url.encodedPath(), query, body));

    if (!("Bearer " + apiToken).equals(request.getHeader("Authorization"))) {
      return envelopeError(403, 10000, "Authentication error");
    }
    MockResponse forced = injected.poll();
    if (forced != null) {
      return forced;
    }
    String path = url.encodedPath();
    if (path.equals(BASE_PATH + "/zones")) {
      if (!method.equals("GET")) {
        return violation("only GET /zones is expected, got " + method);
      }
      if (!query.containsKey("name")
          || !Set.of("name", "status", "page", "per_page").containsAll(query.keySet())) {
        return violation("GET /zones must filter by name (and status), got query " + query);
      }
      ArrayNode result = JSON.createArrayNode();
      if (zoneName.equals(query.get("name"))
          && (!query.containsKey("status") || "active".equals(query.get("status")))) {
        result.addObject().put("id", zoneId).put("name", zoneName).put("status", "active");
      }
      return ok(result, resultInfo(1, 20, result.size(), result.size()));
    }
    Matcher m = RECORDS.matcher(path);
    if (!m.matches()) {
      if (path.startsWith(BASE_PATH + "/zones/")) {
        return envelopeError(
            404,
            7003,
            "Could not route to " + path + ", perhaps your object identifier is invalid?");
      }
      return violation("unexpected path " + path);
    }
    if (!m.group(1).equals(zoneId)) {
      return envelopeError(
          404, 7003, "Could not route to " + path + ", perhaps your object identifier is invalid?");
    }
    String recordId = m.group(2);
    return switch (method) {
      case "GET" ->
          recordId == null ? list(query) : violation("GET of a single record is not expected");
      case "POST" -> recordId == null ? create(request, body) : violation("POST to a record id");
      case "PATCH", "PUT" ->
          recordId != null
              ? update(request, recordId, body)
              : violation(method + " without record id");
      case "DELETE" ->
          recordId != null ? delete(recordId, body) : violation("DELETE without record id");
      default -> violation("unexpected method " + method);
    };
  }

  private MockResponse list(Map<String, String> query) {
    if (!query.containsKey("type") || !query.containsKey("name")) {
      return violation("record lookup must filter by type and name, got " + query);
    }
    for (String key : query.keySet()) {
      if (!Set.of("type", "name", "page", "per_page").contains(key)) {
        return violation("unexpected query parameter " + key);
      }
    }
    int page = Integer.parseInt(query.getOrDefault("page", "1"));
    int perPage = Integer.parseInt(query.getOrDefault("per_page", "100"));
    List<ObjectNode> matching =
        records.values().stream()
            .filter(
                r ->
                    r.path("type").asString().equals(query.get("type"))
                        && r.path("name").asString().equals(query.get("name")))
            .toList();
    ArrayNode result = JSON.createArrayNode();
    matching.stream()
        .skip((long) (page - 1) * perPage)
        .limit(perPage)
        .forEach(r -> result.add(r.deepCopy()));
    ObjectNode info = resultInfo(page, perPage, result.size(), matching.size());
    if (totalPagesUnderreported) {
      info.put("total_pages", 1);
    }
    return ok(result, info);
  }

  private MockResponse create(RecordedRequest request, String body) {
    JsonNode json = checkBody(request, body);
    if (json == null) {
      return violation("bad record body: " + body);
    }
    MockResponse invalid = validateRecord(json);
    if (invalid != null) {
      return invalid;
    }
    for (ObjectNode r : records.values()) {
      if (r.path("type").asString().equals(json.path("type").asString())
          && r.path("name").asString().equals(json.path("name").asString())
          && r.path("content").asString().equals(json.path("content").asString())) {
        return envelopeError(400, IDENTICAL_RECORD_EXISTS, "An identical record already exists.");
      }
    }
    ObjectNode created =
        newRecord(
            json.path("type").asString(),
            json.path("name").asString(),
            json.path("content").asString(),
            json.path("ttl").asInt(),
            json.path("proxied").asBoolean(),
            json.path("comment").asString(null));
    records.put(created.path("id").asString(), created);
    return ok(created.deepCopy(), null);
  }

  private MockResponse update(RecordedRequest request, String recordId, String body) {
    JsonNode json = checkBody(request, body);
    if (json == null) {
      return violation("bad record body: " + body);
    }
    ObjectNode existing = records.get(recordId);
    if (existing == null) {
      return envelopeError(404, 81044, "Record does not exist.");
    }
    MockResponse invalid = validateRecord(json);
    if (invalid != null) {
      return invalid;
    }
    String type = json.path("type").asString(existing.path("type").asString());
    String name = json.path("name").asString(existing.path("name").asString());
    String content = json.path("content").asString(existing.path("content").asString());
    for (ObjectNode other : records.values()) {
      if (other != existing
          && other.path("type").asString().equals(type)
          && other.path("name").asString().equals(name)
          && other.path("content").asString().equals(content)) {
        return envelopeError(400, IDENTICAL_RECORD_EXISTS, "An identical record already exists.");
      }
    }
    for (Iterator<String> it = json.propertyNames().iterator(); it.hasNext(); ) {
      String field = it.next();
      existing.set(field, json.get(field));
    }
    existing.put("modified_on", java.time.Instant.now().toString());
    return ok(existing.deepCopy(), null);
  }

  private MockResponse delete(String recordId, String body) {
    if (!body.isEmpty()) {
      return violation("DELETE must not carry a body");
    }
    if (records.remove(recordId) == null) {
      return envelopeError(404, 81044, "Record does not exist.");
    }
    ObjectNode result = JSON.createObjectNode().put("id", recordId);
    return ok(result, null);
  }

  private JsonNode checkBody(RecordedRequest request, String body) {
    String contentType = request.getHeader("Content-Type");
    if (contentType == null || !contentType.startsWith("application/json")) {
      violations.add("record write without application/json content type: " + contentType);
      return null;
    }
    try {
      JsonNode json = JSON.readTree(body);
      if (!json.isObject()) {
        return null;
      }
      for (Iterator<String> it = json.propertyNames().iterator(); it.hasNext(); ) {
        String field = it.next();
        if (!BODY_FIELDS.contains(field)) {
          violations.add("unknown record field " + field);
          return null;
        }
      }
      return json;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private MockResponse validateRecord(JsonNode json) {
    for (String required : List.of("type", "name", "content", "ttl")) {
      if (!json.has(required)) {
        return violation("record body lacks " + required);
      }
    }
    if (!json.get("type").isString()
        || !json.get("name").isString()
        || !json.get("content").isString()) {
      return violation("type, name and content must be strings: " + json);
    }
    if (!json.get("ttl").isInt()) {
      return violation("ttl must be an integer: " + json);
    }
    if (json.has("proxied") && !json.get("proxied").isBoolean()) {
      return violation("proxied must be a boolean: " + json);
    }
    String name = json.get("name").asString();
    if (!name.equals(zoneName) && !name.endsWith("." + zoneName)) {
      return envelopeError(400, 9007, "Record name is not in the zone");
    }
    int ttl = json.get("ttl").asInt();
    if (ttl != 1 && (ttl < 60 || ttl > 86400)) {
      return envelopeError(
          400, 9021, "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.");
    }
    String type = json.get("type").asString();
    if (!Set.of("A", "AAAA", "CNAME").contains(type)) {
      return violation("unexpected record type " + type);
    }
    return null;
  }

  private MockResponse violation(String what) {
    violations.add(what);
    return envelopeError(400, 9999, "stub: " + what);
  }

  private ObjectNode newRecord(
      String type, String name, String content, int ttl, boolean proxied, String comment) {
    ObjectNode r = JSON.createObjectNode();
    r.put("id", newId());
    r.put("zone_id", zoneId);
    r.put("zone_name", zoneName);
    r.put("name", name);
    r.put("type", type);
    r.put("content", content);
    r.put("proxiable", true);
    r.put("proxied", proxied);
    r.put("ttl", ttl);
    if (comment == null) {
      r.putNull("comment");
    } else {
      r.put("comment", comment);
    }
    r.put("created_on", java.time.Instant.now().toString());
    r.put("modified_on", java.time.Instant.now().toString());
    return r;
  }

  private static MockResponse ok(JsonNode result, ObjectNode resultInfo) {
    ObjectNode envelope = JSON.createObjectNode();
    envelope.put("success", true);
    envelope.putArray("errors");
    envelope.putArray("messages");
    envelope.set("result", result);
    if (resultInfo != null) {
      envelope.set("result_info", resultInfo);
    }
    return json(200, envelope);
  }

  private static ObjectNode resultInfo(int page, int perPage, int count, int total) {
    return JSON.createObjectNode()
        .put("page", page)
        .put("per_page", perPage)
        .put("count", count)
        .put("total_count", total)
        .put("total_pages", Math.max(1, (total + perPage - 1) / perPage));
  }

  private static MockResponse envelopeError(int status, int code, String message) {
    ObjectNode envelope = JSON.createObjectNode();
    envelope.put("success", false);
    envelope.putArray("errors").addObject().put("code", code).put("message", message);
    envelope.putArray("messages");
    envelope.putNull("result");
    return json(status, envelope);
  }

  private static MockResponse json(int status, JsonNode body) {
    return new MockResponse()
        .setResponseCode(status)
        .setHeader("Content-Type", "application/json")
        .setBody(JSON.writeValueAsString(body));
  }

  private static String newId() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    try {
      server.shutdown();
    } catch (IOException ignored) {
      // already down
    }
  }
}
