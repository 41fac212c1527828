package dev.spoq.dns.record.web;

import dev.spoq.common.registry.ApiKeyIntrospection;
import dev.spoq.common.registry.DeviceTokenIntrospection;

/** Who sent an authenticated request: resolved by {@link DnsAuthentication} before the handler. */
sealed interface Caller {

  String REQUEST_ATTRIBUTE = "dev.spoq.dns.caller";

  /** The audit actor. */
  String actor();

  /** The canonical source address. */
  String sourceIp();

  record Device(DeviceTokenIntrospection token, String sourceIp) implements Caller {
    @Override
    public String actor() {
      return "jetson:" + token.jetsonId();
    }
  }

  record ApiKey(ApiKeyIntrospection key, String sourceIp) implements Caller {
    @Override
    public String actor() {
      return key.isAdmin() || key.accountId() == null ? "admin" : "account:" + key.accountId();
    }
  }

  record Service(String service, String sourceIp) implements Caller {
    @Override
    public String actor() {
      return "service:" + service;
    }
  }

  /** Which credential kinds an endpoint accepts. */
  enum Kind {
    DEVICE,
    API_KEY,
    SERVICE
  }
}
