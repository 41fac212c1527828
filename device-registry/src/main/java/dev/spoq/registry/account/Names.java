package dev.spoq.registry.account;

import java.util.Set;
import java.util.regex.Pattern;

/** Rules for usernames and subdomains (DNS labels under the product domain). */
public final class Names {

  public static final String LABEL_REGEX = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";
  public static final String LABEL_MESSAGE =
      "must be a DNS label: 1-63 of a-z, 0-9 and '-', not starting or ending with '-'";
  public static final String USERNAME_REGEX = "^[a-z][a-z0-9-]{0,31}$";
  public static final String USERNAME_MESSAGE =
      "must be 1-32 of a-z, 0-9 and '-', starting with a letter";

  /** Names that belong to the platform itself and can never be an account's. */
  public static final Set<String> RESERVED =
      Set.of(
          "www",
          "api",
          "ssh",
          "jump",
          "relay",
          "lb",
          "admin",
          "root",
          "mail",
          "ns",
          "ns1",
          "ns2",
          "dns",
          "spoq",
          "localhost",
          "status",
          "docs",
          "internal");

  private static final Pattern LABEL = Pattern.compile(LABEL_REGEX);
  private static final Pattern USERNAME = Pattern.compile(USERNAME_REGEX);

  private Names() {}

  public static boolean isLabel(String s) {
    return s != null && LABEL.matcher(s).matches();
  }

  public static boolean isUsername(String s) {
    return s != null && USERNAME.matcher(s).matches();
  }

  public static boolean isReserved(String s) {
    return s != null && (RESERVED.contains(s) || s.startsWith("relay-") || s.startsWith("xn--"));
  }
}
