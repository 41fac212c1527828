package dev.spoq.common.web.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.lang.reflect.Type;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

/**
 * Refuses a request body that starts with a byte-order mark (RFC 8259 section 8.1: JSON senders
 * must not add one); Jackson would silently skip it. Answered as 400 {@code malformed-request}.
 */
@ControllerAdvice
class BomRefusingBodyAdvice extends RequestBodyAdviceAdapter {

  @Override
  public boolean supports(
      MethodParameter methodParameter,
      Type targetType,
      Class<? extends HttpMessageConverter<?>> converterType) {
    return true;
  }

  @Override
  public HttpInputMessage beforeBodyRead(
      HttpInputMessage message,
      MethodParameter parameter,
      Type targetType,
      Class<? extends HttpMessageConverter<?>> converterType)
      throws IOException {
    PushbackInputStream body = new PushbackInputStream(message.getBody(), 3);
    byte[] head = body.readNBytes(3);
    boolean utf8Bom =
        head.length == 3
            && (head[0] & 0xff) == 0xEF
            && (head[1] & 0xff) == 0xBB
            && (head[2] & 0xff) == 0xBF;
    boolean utf16Bom =
        head.length >= 2
            && (((head[0] & 0xff) == 0xFE && (head[1] & 0xff) == 0xFF)
                || ((head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xFE));
    if (utf8Bom || utf16Bom) {
      throw new HttpMessageNotReadableException("byte-order mark before JSON", message);
    }
    body.unread(head);
    HttpHeaders headers = message.getHeaders();
    return new HttpInputMessage() {
      @Override
      public InputStream getBody() {
        return body;
      }

      @Override
      public HttpHeaders getHeaders() {
        return headers;
      }
    };
  }
}
