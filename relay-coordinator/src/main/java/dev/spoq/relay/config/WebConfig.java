package dev.spoq.relay.config;

import java.util.List;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Authentication runs as handler interceptors, before any request body is read or validated: a
 * stranger learns nothing about a body's schema, only 401.
 */
@Configuration
class WebConfig implements WebMvcConfigurer {

  private final List<AuthenticatesFirst> interceptors;

  WebConfig(List<AuthenticatesFirst> interceptors) {
    this.interceptors = interceptors;
  }

  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    for (AuthenticatesFirst i : interceptors) {
      registry.addInterceptor(i).addPathPatterns(i.pathPatterns());
    }
  }
}
