package dev.spoq.e2e.harness;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The running JDK's {@code java} and this module's compiled test classes. */
final class Java {

  private Java() {}

  static String bin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static String testClasses() {
    try {
      return Path.of(Java.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
