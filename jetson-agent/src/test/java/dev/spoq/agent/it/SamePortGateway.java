package dev.spoq.agent.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SOAP filter in front of the REAL miniupnpd that gives it the rule of routers requiring equal
 * internal and external ports: an {@code AddPortMapping} whose ports differ is answered with UPnP
 * error 724 (SamePortValuesRequired, the {@code UPnPError} envelope of the IGD specification);
 * everything else (descriptions, every other action, equal-port mappings) is passed through to
 * miniupnpd unchanged, so the mapping, the NAT rule and the lease are miniupnpd's own. Runs in the
 * Jetson's namespace (so miniupnpd sees the Jetson as the requester) and reaches miniupnpd through
 * its other LAN address. Usage: {@code SamePortGateway <listenPort> <upstream base URL>}.
 */
public final class SamePortGateway {

  private static final Pattern EXT = Pattern.compile("<NewExternalPort>(\\d+)</NewExternalPort>");
  private static final Pattern INT = Pattern.compile("<NewInternalPort>(\\d+)</NewInternalPort>");

  private SamePortGateway() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String upstream = args[1];
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/", ex -> handle(ex, http, upstream));
    server.start();
    System.out.println("listening " + port + " -> " + upstream);
  }

  static void handle(HttpExchange ex, HttpClient http, String upstream) throws IOException {
    try {
      byte[] body = ex.getRequestBody().readAllBytes();
      String soapAction = ex.getRequestHeaders().getFirst("SOAPAction");
      String text = new String(body, StandardCharsets.UTF_8);
      if (soapAction != null && soapAction.contains("#AddPortMapping")) {
        Matcher e = EXT.matcher(text);
        Matcher i = INT.matcher(text);
        if (e.find() && i.find() && !e.group(1).equals(i.group(1))) {
          System.out.println("724 for " + e.group(1) + " -> " + i.group(1));
          reply(ex, 500, fault(724, "SamePortValuesRequired"));
          return;
        }
        System.out.println("pass AddPortMapping " + (e.find(0) ? e.group(1) : "?"));
      }
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI()))
              .timeout(Duration.ofSeconds(10))
              .method(
                  ex.getRequestMethod(),
                  body.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      for (String h : new String[] {"SOAPAction", "Content-Type"}) {
        String v = ex.getRequestHeaders().getFirst(h);
        if (v != null) {
          b.header(h, v);
        }
      }
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      // URLs in the description name the address miniupnpd was asked on: name the gateway's own.
      String host = ex.getRequestHeaders().getFirst("Host");
      byte[] out =
          host == null
              ? r.body()
              : new String(r.body(), StandardCharsets.UTF_8)
                  .replace(URI.create(upstream).getAuthority(), host)
                  .getBytes(StandardCharsets.UTF_8);
      r.headers()
          .firstValue("Content-Type")
          .ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
      ex.sendResponseHeaders(r.statusCode(), out.length == 0 ? -1 : out.length);
      ex.getResponseBody().write(out);
    } catch (Exception e) {
      System.out.println("upstream failed: " + e);
      ex.sendResponseHeaders(502, -1);
    } finally {
      ex.close();
    }
  }

  static void reply(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/xml; charset=\"utf-8\"");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  static String fault(int code, String description) {
    return "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\""
        + " s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><s:Fault>"
        + "<faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
        + "<UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>"
        + code
        + "</errorCode><errorDescription>"
        + description
        + "</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>";
  }
}
