package dev.spoq.relay.auth;

import java.util.UUID;

/** Who is calling, as established from the bearer credential through the registry. */
public sealed interface Caller permits Caller.Admin, Caller.Account, Caller.Device {

  /** How the caller appears in audit events. */
  String actor();

  /** An ADMIN API key: may act on everything. */
  record Admin() implements Caller {
    @Override
    public String actor() {
      return "admin";
    }
  }

  /** An ACCOUNT API key: may act on that account's Jetsons only. */
  record Account(UUID accountId, String username) implements Caller {
    @Override
    public String actor() {
      return "user:" + username;
    }
  }

  /** A Jetson's device token: may act on that Jetson only. */
  record Device(UUID jetsonId, UUID accountId, String username, String subdomain)
      implements Caller {
    @Override
    public String actor() {
      return "jetson:" + jetsonId;
    }
  }
}
