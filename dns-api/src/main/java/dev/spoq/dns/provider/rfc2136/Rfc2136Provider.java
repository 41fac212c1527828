package dev.spoq.dns.provider.rfc2136;

import dev.spoq.dns.address.IpLiterals;
import dev.spoq.dns.provider.DnsProvider;
import dev.spoq.dns.provider.ProviderException;
import dev.spoq.dns.provider.ProviderRecord;
import dev.spoq.dns.provider.RecordType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * Writes records by RFC 2136 dynamic update, signed with TSIG, to a primary server (BIND, Knot,
 * PowerDNS). An upsert deletes the name's RRset of that type and adds the one value in the same
 * update message, so the change is atomic at the server. Reads ask the same server directly, signed
 * as well. Every reply must carry a valid TSIG signature ({@link Message#isVerified()}): dnsjava
 * only logs a bad one, so an unsigned or forged "NOERROR" would otherwise count as success.
 */
public class Rfc2136Provider implements DnsProvider {

  private final InetSocketAddress server;
  private final Name zone;
  private final String zoneText;
  private final TSIG tsig;
  private final Duration timeout;

  public Rfc2136Provider(
      InetSocketAddress server,
      String zone,
      String keyName,
      String keyAlgorithm,
      String keySecret,
      Duration timeout) {
    if (keyName == null || keyName.isBlank() || keySecret == null || keySecret.isBlank()) {
      throw new IllegalArgumentException(
          "spoq.dns.rfc2136.key-name and key-secret must be set (TSIG is required)");
    }
    this.server = server;
    this.zoneText = stripDot(zone.toLowerCase());
    this.zone = absolute(zoneText);
    this.tsig = new TSIG(TSIG.algorithmToName(keyAlgorithm), absolute(keyName), keySecret.trim());
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "rfc2136";
  }

  @Override
  public String zone() {
    return zoneText;
  }

  @Override
  public void upsert(ProviderRecord record) {
    Name name = nameInZone(record.fqdn());
    int type = Type.value(record.type().name());
    Update update = new Update(zone);
    String content = record.type() == RecordType.CNAME ? record.content() + "." : record.content();
    try {
      update.delete(name, type);
      update.add(name, type, record.ttl() <= 1 ? 300 : record.ttl(), content);
    } catch (IOException e) {
      throw ProviderException.permanent(
          "record "
              + record.fqdn()
              + " "
              + record.type()
              + " cannot be expressed: "
              + e.getMessage());
    }
    Message answer = send(update, "update of " + record.fqdn());
    int rcode = answer.getRcode();
    if (rcode != Rcode.NOERROR) {
      throw failure(rcode, "update of " + record.fqdn() + " " + record.type());
    }
  }

  @Override
  public void delete(String fqdn, RecordType recordType) {
    Name name = nameInZone(fqdn);
    Update update = new Update(zone);
    update.delete(name, Type.value(recordType.name()));
    Message answer = send(update, "removal of " + fqdn);
    if (answer.getRcode() != Rcode.NOERROR) {
      throw failure(answer.getRcode(), "removal of " + fqdn + " " + recordType);
    }
  }

  @Override
  public List<ProviderRecord> find(String fqdn, RecordType type) {
    Name name = nameInZone(fqdn);
    int t = Type.value(type.name());
    Message query = Message.newQuery(Record.newRecord(name, t, DClass.IN));
    Message answer = send(query, "query of " + fqdn);
    int rcode = answer.getRcode();
    if (rcode == Rcode.NXDOMAIN) {
      return List.of();
    }
    if (rcode != Rcode.NOERROR) {
      throw failure(rcode, "query of " + fqdn + " " + type);
    }
    List<ProviderRecord> found = new ArrayList<>();
    for (Record r : answer.getSection(Section.ANSWER)) {
      if (r.getType() == t && r.getName().equals(name)) {
        found.add(
            new ProviderRecord(
                stripDot(r.getName().toString()),
                type,
                content(type, r.rdataToString()),
                (int) r.getTTL(),
                false));
      }
    }
    return found;
  }

  private Message send(Message message, String what) {
    SimpleResolver resolver = new SimpleResolver(server);
    resolver.setTimeout(timeout);
    resolver.setTCP(true);
    resolver.setTSIGKey(tsig);
    Message answer;
    try {
      answer = resolver.send(message);
    } catch (IOException e) {
      throw ProviderException.temporary(
          "DNS server "
              + server.getHostString()
              + ":"
              + server.getPort()
              + " unreachable during "
              + what
              + " ("
              + e.getClass().getSimpleName()
              + ")");
    }
    if (answer.getRcode() == Rcode.NOTAUTH) {
      // The server refused our signature; its answer is unsigned by design (RFC 8945 5.3.2).
      return answer;
    }
    if (!answer.isVerified()) {
      throw ProviderException.temporary(
          "the reply of DNS server "
              + server.getHostString()
              + ":"
              + server.getPort()
              + " to "
              + what
              + " carries no valid TSIG signature ("
              + (answer.isSigned() ? "signature does not verify" : "unsigned")
              + "); it is not trusted and the change is retried");
    }
    return answer;
  }

  private ProviderException failure(int rcode, String what) {
    String code = Rcode.string(rcode);
    return switch (rcode) {
      case Rcode.NOTAUTH ->
          ProviderException.permanent(
              "DNS server refused the TSIG signature for "
                  + what
                  + " (NOTAUTH): check spoq.dns.rfc2136.key-name, key-secret and key-algorithm");
      case Rcode.REFUSED ->
          ProviderException.permanent(
              "DNS server refused "
                  + what
                  + " (REFUSED): the zone's update policy does not allow this key");
      case Rcode.NOTZONE ->
          ProviderException.permanent(
              "DNS server says the name is outside zone " + zoneText + " (NOTZONE)");
      case Rcode.SERVFAIL ->
          ProviderException.temporary("DNS server failed " + what + " (SERVFAIL)");
      default -> ProviderException.permanent("DNS server answered " + code + " to " + what);
    };
  }

  private Name nameInZone(String fqdn) {
    Name name = absolute(fqdn);
    if (!name.subdomain(zone)) {
      throw ProviderException.permanent(fqdn + " is not inside zone " + zoneText);
    }
    return name;
  }

  private static Name absolute(String text) {
    try {
      return Name.fromString(text.endsWith(".") ? text : text + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("not a DNS name: " + text);
    }
  }

  private static String content(RecordType type, String rdata) {
    if (type == RecordType.CNAME) {
      return stripDot(rdata);
    }
    return IpLiterals.parse(rdata).map(IpLiterals::canonical).orElse(rdata);
  }

  private static String stripDot(String s) {
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
