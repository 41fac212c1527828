package dev.spoq.dns.record.web;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The credential kinds a handler accepts; {@link DnsAuthentication} authenticates before the body
 * is read, so an anonymous caller learns nothing about the body's rules (401 before 400/415).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface Accepts {
  Caller.Kind[] value();

  /** The 401 detail when no accepted credential was given. */
  String detail();
}
