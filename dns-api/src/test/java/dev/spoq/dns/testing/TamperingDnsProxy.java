package dev.spoq.dns.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Base64;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;

/**
 * An on-path attacker between dns-api and a real {@code named}, over DNS-over-TCP on 127.0.0.1: it
 * forwards every request unchanged and tampers with the server's signed reply, either stripping the
 * TSIG record or re-signing the reply with a key the client does not hold.
 */
public final class TamperingDnsProxy implements AutoCloseable {

  /** What is done to each reply. */
  public enum Tamper {
    STRIP_SIGNATURE,
    SIGN_WITH_WRONG_KEY
  }

  private final ServerSocket listener;
  private final InetSocketAddress upstream;
  private final Tamper tamper;
  private final Thread acceptor;

  public TamperingDnsProxy(InetSocketAddress upstream, Tamper tamper) {
    this.upstream = upstream;
    this.tamper = tamper;
    try {
      this.listener = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.acceptor = new Thread(this::acceptLoop, "tampering-dns-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try (Socket client = listener.accept();
          Socket server = new Socket()) {
        server.connect(upstream, 3000);
        DataInputStream fromClient = new DataInputStream(client.getInputStream());
        DataOutputStream toServer = new DataOutputStream(server.getOutputStream());
        DataInputStream fromServer = new DataInputStream(server.getInputStream());
        DataOutputStream toClient = new DataOutputStream(client.getOutputStream());
        byte[] request = readFrame(fromClient);
        writeFrame(toServer, request);
        byte[] reply = tamper(readFrame(fromServer));
        writeFrame(toClient, reply);
      } catch (IOException e) {
        if (listener.isClosed()) {
          return;
        }
      }
    }
  }

  private byte[] tamper(byte[] reply) throws IOException {
    Message message = new Message(reply);
    TSIGRecord signature = message.getTSIG();
    if (signature != null) {
      message.removeRecord(signature, Section.ADDITIONAL);
    }
    if (tamper == Tamper.STRIP_SIGNATURE) {
      return message.toWire();
    }
    String wrongSecret = Base64.getEncoder().encodeToString(new byte[32]);
    Name keyName = signature != null ? signature.getName() : Name.fromString("attacker.");
    message.setTSIG(new TSIG(TSIG.HMAC_SHA256, keyName, wrongSecret), Rcode.NOERROR, null);
    return message.toWire(65535);
  }

  private static byte[] readFrame(DataInputStream in) throws IOException {
    int length = in.readUnsignedShort();
    byte[] frame = new byte[length];
    in.readFully(frame);
    return frame;
  }

  private static void writeFrame(DataOutputStream out, byte[] frame) throws IOException {
    out.writeShort(frame.length);
    out.write(frame);
    out.flush();
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
