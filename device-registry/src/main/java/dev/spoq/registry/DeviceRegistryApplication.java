package dev.spoq.registry;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class DeviceRegistryApplication {

  public static void main(String[] args) {
    new SpringApplicationBuilder(DeviceRegistryApplication.class)
        .properties("spring.config.name=device-registry")
        .run(args);
  }
}
