package dev.spoq.relay;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

@SpringBootApplication
public class RelayCoordinatorApplication {

  public static void main(String[] args) {
    new SpringApplicationBuilder(RelayCoordinatorApplication.class)
        .properties("spring.config.name=relay-coordinator")
        .run(args);
  }
}
