package dev.spoq.common.web.autoconfigure;

import dev.spoq.common.registry.ApiKeyIntrospection;
import dev.spoq.common.registry.CachingRegistryAuthenticator;
import dev.spoq.common.registry.RegistryClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.handler.SimpleUrlHandlerMapping;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

/**
 * What every Spoq HTTP service gets by depending on {@code common} (registered in {@code
 * META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}):
 *
 * <ul>
 *   <li>strict JSON: no scalar coercion (a boolean or number is not a string, a string not a
 *       number), no float for an integer, duplicate keys and a byte-order mark refused;
 *   <li>RFC 9457 bodies for errors outside Spring MVC: Tomcat's own refusals (encoded slash or NUL
 *       in the path, oversized headers) and {@code /error};
 *   <li>the edge: paths that could be read two ways ({@code ;}, {@code %2e}, {@code //}, ...) are
 *       refused before anything authorises on them;
 *   <li>the actuator guard: {@code /actuator/**} except the health probes needs an ADMIN API key
 *       (an {@link ActuatorAccess} bean decides; by default the registry's introspection).
 * </ul>
 */
@AutoConfiguration(
    beforeName = "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class SpoqWebAutoConfiguration {

  /** Filter order of the edge check: before every other filter. */
  public static final int AMBIGUOUS_PATH_FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE;

  /** Filter order of the actuator guard: right after the edge. */
  public static final int ACTUATOR_GUARD_FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 1;

  @Bean
  FilterRegistrationBean<AmbiguousPathFilter> spoqAmbiguousPathFilter() {
    FilterRegistrationBean<AmbiguousPathFilter> registration =
        new FilterRegistrationBean<>(new AmbiguousPathFilter());
    registration.setOrder(AMBIGUOUS_PATH_FILTER_ORDER);
    return registration;
  }

  @Bean
  FilterRegistrationBean<ActuatorGuardFilter> spoqActuatorGuardFilter(
      ActuatorAccess access,
      @Value("${management.endpoints.web.base-path:/actuator}") String basePath) {
    FilterRegistrationBean<ActuatorGuardFilter> registration =
        new FilterRegistrationBean<>(new ActuatorGuardFilter(access, basePath));
    registration.setOrder(ACTUATOR_GUARD_FILTER_ORDER);
    return registration;
  }

  /**
   * Default: an ADMIN API key, checked by the registry's introspection (through the service's
   * {@link CachingRegistryAuthenticator}, or one made over its {@link RegistryClient}); without
   * either, management endpoints other than health stay closed.
   */
  @Bean
  @ConditionalOnMissingBean
  ActuatorAccess spoqActuatorAccess(
      ObjectProvider<CachingRegistryAuthenticator> authenticators,
      ObjectProvider<RegistryClient> clients) {
    CachingRegistryAuthenticator authenticator = authenticators.getIfAvailable();
    if (authenticator == null) {
      RegistryClient client = clients.getIfAvailable();
      if (client != null) {
        authenticator =
            new CachingRegistryAuthenticator(client, Duration.ofSeconds(2), Clock.systemUTC());
      }
    }
    if (authenticator == null) {
      return token -> ActuatorAccess.Verdict.FORBIDDEN;
    }
    CachingRegistryAuthenticator keys = authenticator;
    return token -> {
      Optional<ApiKeyIntrospection> key = keys.apiKey(token);
      if (key.isEmpty()) {
        return ActuatorAccess.Verdict.UNAUTHENTICATED;
      }
      return key.get().isAdmin()
          ? ActuatorAccess.Verdict.ALLOWED
          : ActuatorAccess.Verdict.FORBIDDEN;
    };
  }

  @Bean
  BomRefusingBodyAdvice spoqBomRefusingBodyAdvice() {
    return new BomRefusingBodyAdvice();
  }

  @Bean
  @ConditionalOnMissingBean(ErrorController.class)
  ProblemErrorController spoqProblemErrorController() {
    return new ProblemErrorController();
  }

  @Bean
  SimpleUrlHandlerMapping spoqProblemErrorMapping(
      ObjectProvider<ProblemErrorController> controller,
      @Value("${server.error.path:/error}") String errorPath) {
    SimpleUrlHandlerMapping mapping = new SimpleUrlHandlerMapping();
    mapping.setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
    controller.ifAvailable(c -> mapping.setUrlMap(java.util.Map.of(errorPath, c)));
    return mapping;
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(JsonMapperBuilderCustomizer.class)
  static class StrictJson {

    @Bean
    JsonMapperBuilderCustomizer spoqStrictJson() {
      return builder ->
          builder
              .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
              .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
              .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
              .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
              .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
              .withCoercionConfig(
                  LogicalType.Textual,
                  c ->
                      c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
              .withCoercionConfig(
                  LogicalType.Integer,
                  c ->
                      c.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                          .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
              .withCoercionConfig(
                  LogicalType.Float,
                  c ->
                      c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
              .withCoercionConfig(
                  LogicalType.Boolean,
                  c ->
                      c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                          .setCoercion(CoercionInputShape.String, CoercionAction.Fail));
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(TomcatServletWebServerFactory.class)
  static class TomcatProblems {

    /** Tomcat's HTML error report replaced by problem JSON (set before the host starts). */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> spoqProblemErrorReports() {
      return factory ->
          factory.addContextCustomizers(
              context -> {
                if (context.getParent() instanceof org.apache.catalina.core.StandardHost host) {
                  host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                }
              });
    }
  }
}
