package dev.spoq.dns.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** Plain DNS queries (UDP, unsigned) against a test server, like any resolver would send. */
public final class DnsQuery {

  /** One answer record: its data and TTL. */
  public record Answer(String data, long ttl) {}

  private DnsQuery() {}

  public static List<Answer> query(InetSocketAddress server, String name, String type) {
    try {
      SimpleResolver resolver = new SimpleResolver(server);
      resolver.setTimeout(Duration.ofSeconds(3));
      Record question = Record.newRecord(Name.fromString(name + "."), Type.value(type), DClass.IN);
      Message answer = resolver.send(Message.newQuery(question));
      List<Answer> out = new ArrayList<>();
      for (Record r : answer.getSection(Section.ANSWER)) {
        if (r.getType() == Type.value(type)) {
          out.add(new Answer(r.rdataToString(), r.getTTL()));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
