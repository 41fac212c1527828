package dev.spoq.dns.provider;

/** The record types this service writes. */
public enum RecordType {
  A,
  AAAA,
  CNAME
}
