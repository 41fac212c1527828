package dev.spoq.registry.security;

public enum ApiKeyScope {
  ADMIN,
  ACCOUNT
}
