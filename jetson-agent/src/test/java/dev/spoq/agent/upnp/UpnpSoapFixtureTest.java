package dev.spoq.agent.upnp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.config.Settings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.xml.parsers.DocumentBuilderFactory;
import org.bitlet.weupnp.GatewayDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * UPnP behaviours that miniupnpd cannot be made to show: error 725 (OnlyPermanentLeasesSupported,
 * which IGD v1 routers such as some ISP boxes answer), error 724 (SamePortValuesRequired: routers
 * that map an external port only to the same internal port; miniupnpd maps any pair) and a gateway
 * with several WAN connection services of which only one is connected.
 *
 * <p>The gateway here is a <b>protocol fixture</b>, not a mock of a component that could run: a
 * small HTTP server that serves a device description and answers SOAP actions with the real UPnP
 * envelopes (success responses, and the {@code s:Fault} / {@code UPnPError} envelope with the error
 * codes of the UPnP IGD specification). It also checks that every request the agent sends is
 * well-formed XML. Everything miniupnpd can show is tested against real miniupnpd (UpnpStunIT,
 * UpnpRepairIT).
 */
class UpnpSoapFixtureTest {

  static final String IP = "urn:schemas-upnp-org:service:WANIPConnection:1";
  static final String PPP = "urn:schemas-upnp-org:service:WANPPPConnection:1";

  HttpServer server;
  final List<String> requests = new CopyOnWriteArrayList<>();
  volatile boolean permanentOnly = true;
  volatile boolean samePortOnly;
  final java.util.Set<Integer> ownedByOthers = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** The gateway's table: external port -> internal port. */
  final Map<Integer, Integer> table = new java.util.concurrent.ConcurrentHashMap<>();

  /** Every AddPortMapping as "external:internal". */
  final List<String> pairs = new CopyOnWriteArrayList<>();

  volatile String malformed;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/desc.xml", ex -> answer(ex, 200, description()));
    server.createContext("/ppp", ex -> control(ex, PPP, "Disconnected"));
    server.createContext("/ip", ex -> control(ex, IP, "Connected"));
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void onlyWanConnectionServicesQualifyAndTheConnectedOneWins() throws Exception {
    GatewayDevice device = device();
    assertThat(WanService.candidates(device.getLocation()))
        .extracting(WanService.Candidate::serviceType)
        .as("WANIPv6FirewallControl and WANCommonInterfaceConfig contain 'WAN' but cannot map")
        .containsExactly(PPP, IP);
    assertThat(WanService.choose(device)).isTrue();
    assertThat(device.getServiceType()).as("PPP is listed first but disconnected").isEqualTo(IP);
    assertThat(device.getControlURL()).isEqualTo(base() + "/ip");
  }

  @Test
  void error725RetriesWithLeaseZeroAndRenewsByCheckingPresence() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    UpnpMapper mapper = new UpnpMapper(config(), clock);
    GatewayDevice device = device();
    WanService.choose(device);
    mapper.useGateway(device);

    UpnpMapper.Snapshot s = mapper.mapOrRefresh();
    assertThat(s.status()).isEqualTo("active");
    assertThat(s.leaseSeconds()).isZero();
    assertThat(adds()).containsExactly("3600", "0");
    assertThat(mapper.refreshedWithinLease()).as("a permanent mapping just made").isTrue();

    // Past the refresh interval: a permanent mapping is not re-added, only checked.
    clock.advance(Duration.ofMinutes(51));
    assertThat(mapper.refreshedWithinLease()).as("not confirmed for 51 min").isFalse();
    mapper.maintain();
    assertThat(adds()).as("no renewal of a permanent mapping").hasSize(2);
    assertThat(requests).contains("GetSpecificPortMappingEntry");
    assertThat(mapper.snapshot().status()).isEqualTo("active");
    assertThat(mapper.refreshedWithinLease()).as("confirmed by the presence check").isTrue();

    // The router forgets it: re-added at once, still with lease 0.
    table.clear();
    clock.advance(Duration.ofSeconds(6));
    mapper.maintain();
    assertThat(adds()).containsExactly("3600", "0", "0");
    assertThat(mapper.snapshot().status()).isEqualTo("active");
    assertThat(malformed).isNull();
  }

  @Test
  void error724MovesWireGuardToTheCandidatePortAndKeepsThatPair(@TempDir Path state)
      throws Exception {
    permanentOnly = false;
    samePortOnly = true;
    ownedByOthers.add(51820);
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    AgentConfig cfg = config(Map.of("state-dir", state.toString()));
    List<Integer> moves = new CopyOnWriteArrayList<>();
    UpnpMapper mapper = new UpnpMapper(cfg, clock, UpnpPorts.load(cfg), moves::add);
    GatewayDevice device = device();
    WanService.choose(device);
    mapper.useGateway(device);

    UpnpMapper.Snapshot s = mapper.mapOrRefresh();
    assertThat(s.status()).as(String.valueOf(s.error())).isEqualTo("active");
    assertThat(pairs)
        .as("718 on 51820, 724 on 51821 -> 51820, then the same port on both sides")
        .containsExactly("51820:51820", "51821:51820", "51821:51821");
    assertThat(moves).as("WireGuard moved to the candidate port").containsExactly(51821);
    assertThat(s.externalPort()).isEqualTo(51821);
    assertThat(s.internalPort()).isEqualTo(51821);
    assertThat(table).containsExactly(Map.entry(51821, 51821));
    assertThat(UpnpPorts.load(cfg)).contains(new UpnpPorts(51821, 51821));

    // Presence checks expect the moved internal port (not wireguard.listen-port).
    clock.advance(Duration.ofSeconds(6));
    mapper.maintain();
    assertThat(mapper.snapshot().status()).isEqualTo("active");
    assertThat(pairs).hasSize(3);

    // The renewal re-adds the same pair, with no 724 round trip.
    clock.advance(Duration.ofMinutes(51));
    mapper.maintain();
    assertThat(pairs).hasSize(4).last().isEqualTo("51821:51821");

    // Lost (router reboot): repaired at once with the same pair.
    table.clear();
    clock.advance(Duration.ofSeconds(6));
    mapper.maintain();
    assertThat(mapper.snapshot().status()).isEqualTo("active");
    assertThat(pairs).hasSize(5).last().isEqualTo("51821:51821");
    assertThat(moves).hasSize(1);

    // A restart starts from the pair that worked: no 718, no 724, no move.
    pairs.clear();
    table.clear();
    UpnpMapper restarted = new UpnpMapper(cfg, clock, UpnpPorts.load(cfg), moves::add);
    assertThat(restarted.internalPort()).isEqualTo(51821);
    restarted.useGateway(device);
    assertThat(restarted.mapOrRefresh().status()).isEqualTo("active");
    assertThat(pairs).containsExactly("51821:51821");
    assertThat(moves).hasSize(1);
    assertThat(malformed).isNull();
  }

  @Test
  void after724aPortWireGuardCannotTakeIsSkipped(@TempDir Path state) throws Exception {
    permanentOnly = false;
    samePortOnly = true;
    ownedByOthers.add(51820);
    AgentConfig cfg = config(Map.of("state-dir", state.toString()));
    List<Integer> moves = new CopyOnWriteArrayList<>();
    UpnpMapper mapper =
        new UpnpMapper(
            cfg,
            Clock.systemUTC(),
            UpnpPorts.load(cfg),
            port -> {
              moves.add(port);
              return port != 51821; // something else on the Jetson holds UDP 51821
            });
    GatewayDevice device = device();
    WanService.choose(device);
    mapper.useGateway(device);

    UpnpMapper.Snapshot s = mapper.mapOrRefresh();
    assertThat(s.status()).isEqualTo("active");
    assertThat(moves).containsExactly(51821, 51822);
    assertThat(pairs).containsExactly("51820:51820", "51821:51820", "51822:51822");
    assertThat(s.externalPort()).isEqualTo(51822);
    assertThat(s.internalPort()).isEqualTo(51822);
  }

  @Test
  void without724NothingMovesAndNothingIsSaved(@TempDir Path state) throws Exception {
    permanentOnly = false;
    ownedByOthers.add(51820);
    AgentConfig cfg = config(Map.of("state-dir", state.toString()));
    List<Integer> moves = new CopyOnWriteArrayList<>();
    UpnpMapper mapper = new UpnpMapper(cfg, Clock.systemUTC(), UpnpPorts.load(cfg), moves::add);
    GatewayDevice device = device();
    WanService.choose(device);
    mapper.useGateway(device);

    UpnpMapper.Snapshot s = mapper.mapOrRefresh();
    assertThat(s.status()).isEqualTo("active");
    assertThat(pairs).containsExactly("51820:51820", "51821:51820");
    assertThat(s.internalPort()).isEqualTo(51820);
    assertThat(moves).isEmpty();
    assertThat(UpnpPorts.file(cfg)).doesNotExist();
  }

  @Test
  void soapValuesAreXmlEscaped() throws Exception {
    permanentOnly = false;
    Map<String, String> settings = Map.of("upnp.description", "Spoq & <Jetson> \"home\"");
    UpnpMapper mapper = new UpnpMapper(config(settings), Clock.systemUTC());
    GatewayDevice device = device();
    WanService.choose(device);
    mapper.useGateway(device);
    assertThat(mapper.mapOrRefresh().status()).isEqualTo("active");
    assertThat(malformed).as("every request was well-formed XML").isNull();
    assertThat(descriptions).containsExactly("Spoq & <Jetson> \"home\"");
  }

  // ---- fixture -------------------------------------------------------------------------------

  final List<String> descriptions = new CopyOnWriteArrayList<>();
  final List<String> leases = new CopyOnWriteArrayList<>();

  List<String> adds() {
    return leases;
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  GatewayDevice device() throws Exception {
    GatewayDevice d = new GatewayDevice();
    d.setLocation(base() + "/desc.xml");
    d.setSt("urn:schemas-upnp-org:device:InternetGatewayDevice:1");
    d.setLocalAddress(InetAddress.getByName("127.0.0.1"));
    d.loadDescription();
    return d;
  }

  AgentConfig config() {
    return config(Map.of());
  }

  AgentConfig config(Map<String, String> extra) {
    Map<String, String> s = new java.util.HashMap<>(Map.of("upnp.enabled", "true"));
    s.putAll(extra);
    return AgentConfig.from(Settings.of(s));
  }

  String description() {
    return """
        <?xml version="1.0"?>
        <root xmlns="urn:schemas-upnp-org:device-1-0">
          <specVersion><major>1</major><minor>0</minor></specVersion>
          <device>
            <deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
            <friendlyName>fixture gateway</friendlyName>
            <serviceList>
              <service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
                <serviceId>urn:upnp-org:serviceId:L3Forwarding1</serviceId>
                <controlURL>/l3f</controlURL><eventSubURL>/l3f</eventSubURL><SCPDURL>/l3f.xml</SCPDURL></service>
            </serviceList>
            <deviceList><device>
              <deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
              <serviceList>
                <service><serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType>
                  <serviceId>urn:upnp-org:serviceId:WANCommonIFC1</serviceId>
                  <controlURL>/cif</controlURL><eventSubURL>/cif</eventSubURL><SCPDURL>/cif.xml</SCPDURL></service>
              </serviceList>
              <deviceList><device>
                <deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
                <serviceList>
                  <service><serviceType>urn:schemas-upnp-org:service:WANIPv6FirewallControl:1</serviceType>
                    <serviceId>urn:upnp-org:serviceId:WANIPv6Firewall1</serviceId>
                    <controlURL>/v6</controlURL><eventSubURL>/v6</eventSubURL><SCPDURL>/v6.xml</SCPDURL></service>
                  <service><serviceType>%s</serviceType>
                    <serviceId>urn:upnp-org:serviceId:WANPPPConn1</serviceId>
                    <controlURL>/ppp</controlURL><eventSubURL>/ppp</eventSubURL><SCPDURL>/ppp.xml</SCPDURL></service>
                  <service><serviceType>%s</serviceType>
                    <serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
                    <controlURL>/ip</controlURL><eventSubURL>/ip</eventSubURL><SCPDURL>/ip.xml</SCPDURL></service>
                </serviceList>
              </device></deviceList>
            </device></deviceList>
          </device>
        </root>
        """
        .formatted(PPP, IP)
        .strip();
  }

  void control(HttpExchange ex, String serviceType, String connectionStatus) throws IOException {
    String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String soapAction = ex.getRequestHeaders().getFirst("SOAPAction").replace("\"", "");
    String action = soapAction.substring(soapAction.indexOf('#') + 1);
    requests.add(action);
    org.w3c.dom.Document doc;
    try {
      doc =
          DocumentBuilderFactory.newInstance()
              .newDocumentBuilder()
              .parse(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      malformed = action + ": " + e.getMessage() + "\n" + body;
      answer(ex, 500, fault(402, "Invalid Args"));
      return;
    }
    switch (action) {
      case "GetStatusInfo" ->
          answer(
              ex,
              200,
              ok(
                  serviceType,
                  action,
                  "<NewConnectionStatus>"
                      + connectionStatus
                      + "</NewConnectionStatus><NewLastConnectionError>ERROR_NONE"
                      + "</NewLastConnectionError><NewUptime>100</NewUptime>"));
      case "AddPortMapping" -> {
        String lease = value(doc, "NewLeaseDuration");
        int external = Integer.parseInt(value(doc, "NewExternalPort"));
        int internal = Integer.parseInt(value(doc, "NewInternalPort"));
        leases.add(lease);
        descriptions.add(value(doc, "NewPortMappingDescription"));
        pairs.add(external + ":" + internal);
        if (permanentOnly && !"0".equals(lease)) {
          answer(ex, 500, fault(725, "OnlyPermanentLeasesSupported"));
        } else if (ownedByOthers.contains(external)) {
          answer(ex, 500, fault(718, "ConflictInMappingEntry"));
        } else if (samePortOnly && external != internal) {
          answer(ex, 500, fault(724, "SamePortValuesRequired"));
        } else {
          table.put(external, internal);
          answer(ex, 200, ok(serviceType, action, ""));
        }
      }
      case "GetSpecificPortMappingEntry" -> {
        Integer internal = table.get(Integer.parseInt(value(doc, "NewExternalPort")));
        if (internal != null) {
          answer(
              ex,
              200,
              ok(
                  serviceType,
                  action,
                  "<NewInternalPort>"
                      + internal
                      + "</NewInternalPort><NewInternalClient>127.0.0.1"
                      + "</NewInternalClient><NewEnabled>1</NewEnabled>"
                      + "<NewPortMappingDescription>x</NewPortMappingDescription>"
                      + "<NewLeaseDuration>0</NewLeaseDuration>"));
        } else {
          answer(ex, 500, fault(714, "NoSuchEntryInArray"));
        }
      }
      case "GetExternalIPAddress" ->
          answer(
              ex,
              200,
              ok(serviceType, action, "<NewExternalIPAddress>198.51.100.7</NewExternalIPAddress>"));
      default -> answer(ex, 500, fault(401, "Invalid Action"));
    }
  }

  static String value(org.w3c.dom.Document doc, String tag) {
    var l = doc.getElementsByTagName(tag);
    return l.getLength() == 0 ? null : l.item(0).getTextContent();
  }

  static String ok(String serviceType, String action, String inner) {
    return "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\""
        + " s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body><u:"
        + action
        + "Response xmlns:u=\""
        + serviceType
        + "\">"
        + inner
        + "</u:"
        + action
        + "Response></s:Body></s:Envelope>";
  }

  /** The UPnP control error envelope (UPnP Device Architecture 1.0, section 3.2.2). */
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

  static void answer(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/xml; charset=\"utf-8\"");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant start) {
      now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
