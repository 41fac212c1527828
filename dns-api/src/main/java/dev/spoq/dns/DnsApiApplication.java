package dev.spoq.dns;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

@SpringBootApplication
public class DnsApiApplication {

  public static void main(String[] args) {
    new SpringApplicationBuilder(DnsApiApplication.class)
        .properties("spring.config.name=dns-api")
        .run(args);
  }
}
