package dev.spoq.dns.record.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Authentication runs before any handler argument (body, media type) is resolved. */
@Configuration(proxyBeanMethods = false)
class DnsWebConfiguration implements WebMvcConfigurer {

  private final DnsAuthentication authentication;

  DnsWebConfiguration(DnsAuthentication authentication) {
    this.authentication = authentication;
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry
        .addInterceptor(authentication)
        .addPathPatterns(
            "/api/**", "/internal/**", "/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.*");
  }
}
