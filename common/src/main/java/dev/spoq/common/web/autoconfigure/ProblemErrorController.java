package dev.spoq.common.web.autoconfigure;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.web.HttpRequestHandler;

/**
 * {@code /error}, where the servlet container forwards errors that escaped Spring MVC (a filter's
 * {@code sendError}, a rejected request): an RFC 9457 body instead of Spring Boot's default (not
 * problem+json) or a whitelabel page. A plain handler, not a {@code @RequestMapping}, so it stays
 * out of the services' OpenAPI documents.
 */
class ProblemErrorController implements ErrorController, HttpRequestHandler {

  @Override
  public void handleRequest(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    int status = code instanceof Integer i && i >= 400 && i <= 599 ? i : 500;
    Problems.write(response, status, Problems.detailFor(status));
  }
}
