package dev.spoq.common.web;

import dev.spoq.common.problem.ProblemTypes;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps request bodies: a declared Content-Length over the limit is refused at once with 413, and a
 * chunked body is cut off when it passes the limit (the handler then answers 413).
 */
public class RequestSizeLimitFilter extends OncePerRequestFilter {

  private final long limitBytes;

  public RequestSizeLimitFilter(long limitBytes) {
    this.limitBytes = limitBytes;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (request.getContentLengthLong() > limitBytes) {
      response.setStatus(413);
      response.setContentType("application/problem+json");
      response
          .getOutputStream()
          .write(
              ("{\"type\":\""
                      + ProblemTypes.PAYLOAD_TOO_LARGE
                      + "\",\"title\":\"Payload too large\",\"status\":413,\"detail\":\"The request body is larger than "
                      + limitBytes
                      + " bytes.\"}")
                  .getBytes(StandardCharsets.UTF_8));
      return;
    }
    chain.doFilter(new LimitedRequest(request, limitBytes), response);
  }

  private static final class LimitedRequest extends HttpServletRequestWrapper {
    private final long limit;
    private ServletInputStream stream;

    LimitedRequest(HttpServletRequest request, long limit) {
      super(request);
      this.limit = limit;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new LimitedStream(super.getInputStream(), limit);
      }
      return stream;
    }
  }

  private static final class LimitedStream extends ServletInputStream {
    private final ServletInputStream delegate;
    private final long limit;
    private long read;

    LimitedStream(ServletInputStream delegate, long limit) {
      this.delegate = delegate;
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = delegate.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = delegate.read(buffer, offset, length);
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) throws PayloadTooLargeException {
      read += n;
      if (read > limit) {
        throw new PayloadTooLargeException(limit);
      }
    }

    @Override
    public boolean isFinished() {
      return delegate.isFinished();
    }

    @Override
    public boolean isReady() {
      return delegate.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      delegate.setReadListener(listener);
    }
  }
}
