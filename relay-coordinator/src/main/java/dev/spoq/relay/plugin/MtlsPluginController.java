package dev.spoq.relay.plugin;

import dev.spoq.common.problem.ApiProblemException;
import jakarta.servlet.http.HttpServletRequest;
import java.security.cert.X509Certificate;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The frps plugin endpoint on the mTLS listener ({@link PluginMtlsProperties}): {@code POST
 * /frps-plugin-mtls/{relayId}/handler?op=..&version=0.1.0}, same body and answer as {@link
 * PluginController}, authenticated by the client certificate instead of a secret path segment. Only
 * answered on the mTLS port, and only for the relay named in the certificate's subject CN (a
 * relay's gateway cannot speak for another relay); anything else is a plain 404.
 */
@RestController
class MtlsPluginController {

  private static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";

  private final PluginService plugin;
  private final ObjectProvider<PluginMtlsListener> listener;

  MtlsPluginController(PluginService plugin, ObjectProvider<PluginMtlsListener> listener) {
    this.plugin = plugin;
    this.listener = listener;
  }

  @PostMapping(
      path = "/frps-plugin-mtls/{relayId}/handler",
      produces = MediaType.APPLICATION_JSON_VALUE)
  PluginResponse handleOverMtls(
      HttpServletRequest request,
      @PathVariable String relayId,
      @RequestParam(value = "op", required = false) String queryOp,
      @RequestBody JsonNode body) {
    PluginMtlsListener mtls = listener.getIfAvailable();
    if (mtls == null
        || request.getLocalPort() != mtls.port()
        || !relayId.equals(commonName(request))) {
      throw ApiProblemException.notFound("No such resource.");
    }
    return PluginController.dispatch(plugin, relayId, queryOp, body);
  }

  private static String commonName(HttpServletRequest request) {
    if (!(request.getAttribute(CERTIFICATES) instanceof X509Certificate[] chain)
        || chain.length == 0) {
      return null;
    }
    try {
      for (Rdn rdn : new LdapName(chain[0].getSubjectX500Principal().getName()).getRdns()) {
        if ("CN".equalsIgnoreCase(rdn.getType())) {
          return rdn.getValue().toString();
        }
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return null;
  }
}
