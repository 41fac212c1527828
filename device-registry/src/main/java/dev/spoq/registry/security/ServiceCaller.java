package dev.spoq.registry.security;

/** Another Spoq service holding its configured service credential. */
public record ServiceCaller(String service, String sourceIp) implements Caller {

  @Override
  public String actor() {
    return "service:" + service;
  }
}
