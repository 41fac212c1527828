package dev.spoq.registry.account;

/** What the account runs Conductor on: a cloud container or a Jetson at home. */
public enum Product {
  CLOUD,
  JETSON
}
