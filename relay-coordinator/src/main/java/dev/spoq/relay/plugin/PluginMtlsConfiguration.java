package dev.spoq.relay.plugin;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Adds the mTLS plugin listener when {@code spoq.relay.plugin-mtls.enabled=true}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PluginMtlsProperties.class)
@ConditionalOnProperty(name = "spoq.relay.plugin-mtls.enabled", havingValue = "true")
class PluginMtlsConfiguration {

  @Bean
  PluginMtlsListener pluginMtlsListener(PluginMtlsProperties properties) {
    return new PluginMtlsListener(properties);
  }

  @Bean
  WebServerFactoryCustomizer<TomcatServletWebServerFactory> pluginMtlsConnector(
      PluginMtlsListener listener) {
    return factory -> factory.addAdditionalConnectors(listener.connector());
  }
}
