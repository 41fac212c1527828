package dev.spoq.relay.config;

import java.util.List;
import org.springframework.web.servlet.HandlerInterceptor;

/** An interceptor that authenticates the paths it names before the handler runs (WebConfig). */
public interface AuthenticatesFirst extends HandlerInterceptor {
  List<String> pathPatterns();
}
