package dev.spoq.registry;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class DeviceRegistryApplication {

  public static void main(String[] args) {
    SpringApplication.run(DeviceRegistryApplication.class, args);
  }
}
