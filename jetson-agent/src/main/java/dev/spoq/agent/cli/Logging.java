package dev.spoq.agent.cli;

/** slf4j-simple setup: one line per event on stderr (journald adds its own timestamps). */
final class Logging {

  private Logging() {}

  static void configure(String[] args) {
    boolean daemon = args.length > 0 && java.util.Arrays.asList(args).contains("run");
    String level = System.getenv().getOrDefault("SPOQ_LOG_LEVEL", daemon ? "info" : "warn");
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", level);
    setDefault("org.slf4j.simpleLogger.logFile", "System.err");
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
    setDefault("org.slf4j.simpleLogger.showThreadName", "false");
    setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
    setDefault("org.slf4j.simpleLogger.levelInBrackets", "true");
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
