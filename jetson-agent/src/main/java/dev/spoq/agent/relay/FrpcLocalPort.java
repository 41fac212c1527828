package dev.spoq.agent.relay;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The coordinator renders frpc's proxy with {@code localPort = 51820}; when WireGuard listens on
 * another port (moved after UPnP error 724) the proxy must forward there instead.
 */
public final class FrpcLocalPort {

  private static final Pattern LOCAL_PORT =
      Pattern.compile("^(\\s*localPort\\s*=\\s*)\\d+(\\s*(#.*)?)$", Pattern.MULTILINE);

  private FrpcLocalPort() {}

  /** The config with every {@code localPort} set to the WireGuard listen port. */
  public static String apply(String frpcToml, int wgListenPort) {
    Matcher m = LOCAL_PORT.matcher(frpcToml);
    return m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + wgListenPort + r.group(2)));
  }
}
