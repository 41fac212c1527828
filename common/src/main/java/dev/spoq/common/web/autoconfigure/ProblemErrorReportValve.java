package dev.spoq.common.web.autoconfigure;

import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's last-resort error page as RFC 9457 JSON instead of HTML: requests Tomcat refuses before
 * any servlet runs (an encoded slash or NUL in the path, an oversized header) and errors no
 * application code answered. The body names the status only; it never echoes the request.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    try {
      response.resetBuffer();
      response.setContentType("application/problem+json");
      response.setCharacterEncoding("UTF-8");
      if (status == 401) {
        response.setHeader("WWW-Authenticate", "Bearer");
      }
      String body =
          Problems.json(
              status,
              Problems.typeFor(status),
              Problems.titleFor(status),
              Problems.detailFor(status));
      java.io.PrintWriter writer = response.getReporter();
      if (writer != null) {
        writer.write(body);
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // the connection is gone or the response committed; nothing more to say
    }
  }
}
