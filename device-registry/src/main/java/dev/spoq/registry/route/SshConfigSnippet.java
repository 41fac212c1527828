package dev.spoq.registry.route;

/**
 * The seed's {@code Host spoq ... ProxyJump} block: the user's ssh jumps through the jump host
 * straight to the container (the jump host only forwards TCP). A comment carries the container's
 * known_hosts line.
 */
final class SshConfigSnippet {

  private SshConfigSnippet() {}

  static String render(
      String username, ContainerRouteService.ContainerRoute route, String jumpHost) {
    String knownHostsName =
        route.port() == 22 ? route.host() : "[" + route.host() + "]:" + route.port();
    return "# Spoq Cloud: add to ~/.ssh/config, then run: ssh spoq\n"
        + "# Container host key, for ~/.ssh/known_hosts:\n"
        + "#   "
        + knownHostsName
        + " "
        + route.hostKey()
        + "\n"
        + "Host spoq\n"
        + "    HostName "
        + route.host()
        + "\n"
        + (route.port() == 22 ? "" : "    Port " + route.port() + "\n")
        + "    User "
        + username
        + "\n"
        + "    ProxyJump "
        + username
        + "@"
        + jumpHost
        + "\n";
  }
}
