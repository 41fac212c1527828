package dev.spoq.agent.registry;

/** A control-plane call failed; the message is fit for a log line (no secrets, no stack). */
public class ControlPlaneException extends RuntimeException {

  private final int status;

  public ControlPlaneException(String message, int status) {
    super(message);
    this.status = status;
  }

  /** The HTTP status, or 0 when the service was not reached. */
  public int status() {
    return status;
  }

  /** True when retrying later may help (unreachable, 5xx, 429). */
  public boolean transientFailure() {
    return status == 0 || status >= 500 || status == 429;
  }
}
