package dev.spoq.registry.route;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ~/.ssh/config} block a Cloud user pastes. {@code Host spoq} jumps through the router
 * straight to the container by the only name the router accepts, {@code container-<user>} on port
 * 22 (the router maps it to the route's address; users never see it), so the SSH session stays end
 * to end. {@code Host spoq-direct} logs in through the router (direct login). A non-default jump
 * port comes from the configured jump host ({@code host:port} or {@code [v6]:port}). A comment
 * carries the container's known_hosts line under the name the client checks.
 */
final class SshConfigSnippet {

  private static final Pattern HOST_PORT =
      Pattern.compile("^(\\[[^\\]]+\\]|[^:\\[\\]]+)(?::(\\d{1,5}))?$");

  private SshConfigSnippet() {}

  static String render(
      String username, ContainerRouteService.ContainerRoute route, String jumpHost) {
    Matcher m = HOST_PORT.matcher(jumpHost.trim());
    if (!m.matches()) {
      throw new IllegalStateException("spoq.ssh.jump-host must be host or host:port");
    }
    String host = m.group(1);
    String port = m.group(2);
    boolean customPort = port != null && !port.equals("22");
    String jump = username + "@" + host + (customPort ? ":" + port : "");
    String container = "container-" + username;
    return "# Spoq Cloud: add to ~/.ssh/config, then run: ssh spoq\n"
        + "# (ssh spoq-direct logs in through the router instead of end to end)\n"
        + "# Container host key, for ~/.ssh/known_hosts:\n"
        + "#   "
        + container
        + " "
        + route.hostKey()
        + "\n"
        + "Host spoq\n"
        + "    HostName "
        + container
        + "\n"
        + "    User "
        + username
        + "\n"
        + "    ProxyJump "
        + jump
        + "\n"
        + "\n"
        + "Host spoq-direct\n"
        + "    HostName "
        + (host.startsWith("[") ? host.substring(1, host.length() - 1) : host)
        + "\n"
        + (customPort ? "    Port " + port + "\n" : "")
        + "    User "
        + username
        + "\n";
  }
}
