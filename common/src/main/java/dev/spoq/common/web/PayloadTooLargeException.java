package dev.spoq.common.web;

import java.io.IOException;

/** A request body passed the service's size cap. */
public class PayloadTooLargeException extends IOException {

  private final long limitBytes;

  public PayloadTooLargeException(long limitBytes) {
    super("request body exceeds " + limitBytes + " bytes");
    this.limitBytes = limitBytes;
  }

  public long limitBytes() {
    return limitBytes;
  }
}
