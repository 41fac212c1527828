package dev.spoq.testsupport.frp;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * frp's control-message framing, as in frp's {@code pkg/msg} on top of {@code golib/msg/json}: one
 * type byte, the JSON body's length as a big-endian int64, then the JSON body. The type bytes are
 * frp's ({@code TypeLogin = 'o'}, {@code TypePong = '4'}...). frps refuses bodies above 10240
 * bytes.
 */
public final class FrpWire {

  public static final char LOGIN = 'o';
  public static final char LOGIN_RESP = '1';
  public static final char NEW_PROXY = 'p';
  public static final char NEW_PROXY_RESP = '2';
  public static final char CLOSE_PROXY = 'c';
  public static final char NEW_WORK_CONN = 'w';
  public static final char REQ_WORK_CONN = 'r';
  public static final char START_WORK_CONN = 's';
  public static final char PING = 'h';
  public static final char PONG = '4';

  /** frp's default {@code msg.MaxMsgLength}. */
  public static final long MAX_LENGTH = 10240;

  static final JsonMapper JSON = JsonMapper.builder().build();

  /** One message: its type byte and JSON body. */
  public record Message(char type, JsonNode body) {
    public String text(String field) {
      JsonNode v = body.get(field);
      return v == null || v.isNull() ? "" : v.asString();
    }
  }

  private FrpWire() {}

  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  public static void write(OutputStream out, char type, JsonNode body) throws IOException {
    byte[] json = JSON.writeValueAsBytes(body);
    DataOutputStream data = new DataOutputStream(out);
    synchronized (out) {
      data.writeByte(type);
      data.writeLong(json.length);
      data.write(json);
      data.flush();
    }
  }

  /** Reads one message; {@link java.io.EOFException} when the peer closed. */
  public static Message read(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    char type = (char) data.readUnsignedByte();
    long length = data.readLong();
    if (length < 0 || length > MAX_LENGTH) {
      throw new IOException("message length exceed the limit");
    }
    byte[] json = new byte[(int) length];
    data.readFully(json);
    return new Message(type, JSON.readTree(json));
  }

  /** frp's token auth: {@code privilege_key = md5(token + timestamp)} in hex. */
  public static String privilegeKey(String token, long timestamp) {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      md5.update(token.getBytes(StandardCharsets.UTF_8));
      md5.update(Long.toString(timestamp).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(md5.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
