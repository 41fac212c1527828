package dev.spoq.common.registry;

/** The registry could not give an answer (unreachable, timeout, 5xx, garbage). Fail closed. */
public class RegistryUnavailableException extends RuntimeException {
  public RegistryUnavailableException(String message) {
    super(message);
  }
}
