package dev.spoq.registry.config;

import dev.spoq.common.web.RequestSizeLimitFilter;
import dev.spoq.registry.audit.AggregatedAudit;
import dev.spoq.registry.security.AuthenticationFilter;
import dev.spoq.registry.security.CallerArgumentResolver;
import dev.spoq.registry.security.Credentials;
import dev.spoq.registry.security.FailedAuthLimiter;
import java.util.List;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class WebConfig implements WebMvcConfigurer {

  @Bean
  FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(
      RegistryProperties properties) {
    FilterRegistrationBean<RequestSizeLimitFilter> registration =
        new FilterRegistrationBean<>(
            new RequestSizeLimitFilter(properties.limits().maxBodyBytes()));
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
    return registration;
  }

  @Bean
  FilterRegistrationBean<AuthenticationFilter> authenticationFilter(
      Credentials credentials, AggregatedAudit audit, FailedAuthLimiter limiter, JsonMapper json) {
    FilterRegistrationBean<AuthenticationFilter> registration =
        new FilterRegistrationBean<>(new AuthenticationFilter(credentials, audit, limiter, json));
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
    return registration;
  }

  @Override
  public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
    resolvers.add(new CallerArgumentResolver());
  }
}
