package dev.spoq.jump;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

@SpringBootApplication
public class JumpRouterApplication {

  public static void main(String[] args) {
    new SpringApplicationBuilder(JumpRouterApplication.class)
        .properties("spring.config.name=jump-router")
        .run(args);
  }
}
