package dev.spoq.agent.upnp;

import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.bitlet.weupnp.GatewayDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Picks the WAN connection service that gets the port mapping. Only {@code WANIPConnection} and
 * {@code WANPPPConnection} services qualify (not every type containing "WAN"); among them the one
 * whose {@code GetStatusInfo} says {@code Connected} wins, in description order.
 */
final class WanService {

  private static final Logger log = LoggerFactory.getLogger(WanService.class);
  private static final List<String> TYPES =
      List.of(
          "urn:schemas-upnp-org:service:WANIPConnection:",
          "urn:schemas-upnp-org:service:WANPPPConnection:");

  record Candidate(String serviceType, String controlUrl) {}

  private WanService() {}

  /** Sets the device's service type and control URL; false when it has no WAN connection. */
  static boolean choose(GatewayDevice device) throws Exception {
    List<Candidate> candidates = candidates(device.getLocation());
    Candidate chosen = null;
    for (Candidate c : candidates) {
      String status = connectionStatus(c);
      log.debug("UPnP service {} at {}: {}", c.serviceType(), c.controlUrl(), status);
      if ("Connected".equals(status)) {
        chosen = c;
        break;
      }
      if (chosen == null) {
        chosen = c;
      }
    }
    if (chosen == null) {
      return false;
    }
    device.setServiceType(chosen.serviceType());
    device.setControlURL(chosen.controlUrl());
    return true;
  }

  static List<Candidate> candidates(String location) throws Exception {
    Document doc;
    try (InputStream in = URI.create(location).toURL().openStream()) {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setExpandEntityReferences(false);
      f.setNamespaceAware(false);
      doc = f.newDocumentBuilder().parse(in);
    }
    NodeList base = doc.getElementsByTagName("URLBase");
    String baseUrl =
        base.getLength() > 0 && !base.item(0).getTextContent().isBlank()
            ? base.item(0).getTextContent().trim()
            : location;
    List<Candidate> out = new ArrayList<>();
    NodeList services = doc.getElementsByTagName("service");
    for (int i = 0; i < services.getLength(); i++) {
      Element service = (Element) services.item(i);
      String type = text(service, "serviceType");
      String control = text(service, "controlURL");
      if (type == null || control == null || TYPES.stream().noneMatch(type::startsWith)) {
        continue;
      }
      out.add(new Candidate(type, new URL(new URL(baseUrl), control).toString()));
    }
    return out;
  }

  private static String connectionStatus(Candidate c) {
    try {
      Map<String, String> answer =
          GatewayDevice.simpleUPnPcommand(
              c.controlUrl(), c.serviceType(), "GetStatusInfo", Map.of());
      return answer.getOrDefault("NewConnectionStatus", "unknown");
    } catch (Exception e) {
      return "unreachable";
    }
  }

  private static String text(Element parent, String tag) {
    NodeList l = parent.getElementsByTagName(tag);
    return l.getLength() == 0 ? null : l.item(0).getTextContent().trim();
  }
}
