package dev.spoq.dns.record.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Service tokens set from the environment ({@code SPOQ_DNS_SERVICETOKENS_RELAYCOORDINATOR}, as
 * docker-compose does) bind under the key {@code relaycoordinator}; the coordinator must still be
 * recognised as {@code relay-coordinator}, or its internal reads get 403.
 */
class ServiceNameBindingTest {

  @Test
  void environmentAndPropertySpellingsNameTheSameService() {
    assertThat(DnsAuthentication.canonicalServiceName("relaycoordinator"))
        .isEqualTo("relay-coordinator");
    assertThat(DnsAuthentication.canonicalServiceName("relay-coordinator"))
        .isEqualTo("relay-coordinator");
    assertThat(DnsAuthentication.canonicalServiceName("RELAY_COORDINATOR"))
        .isEqualTo("relay-coordinator");
    assertThat(InternalDnsController.READERS)
        .contains(DnsAuthentication.canonicalServiceName("relaycoordinator"));
  }

  @Test
  void unknownNamesStayAsConfigured() {
    assertThat(DnsAuthentication.canonicalServiceName("billing")).isEqualTo("billing");
  }
}
