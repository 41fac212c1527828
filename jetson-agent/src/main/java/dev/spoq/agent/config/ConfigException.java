package dev.spoq.agent.config;

/** A configuration or state problem the operator must fix; the agent exits with EX_CONFIG (78). */
public class ConfigException extends RuntimeException {

  public static final int EXIT_CODE = 78;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
