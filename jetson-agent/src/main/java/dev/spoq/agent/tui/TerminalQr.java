package dev.spoq.agent.tui;

import io.nayuki.qrcodegen.QrCode;

/**
 * Renders a QR code with Unicode half blocks, two modules per character row, like qrencode UTF8.
 */
public final class TerminalQr {

  private static final int QUIET = 2;

  private TerminalQr() {}

  public static String render(String text) {
    QrCode qr = QrCode.encodeText(text, QrCode.Ecc.LOW);
    int size = qr.size;
    StringBuilder sb = new StringBuilder();
    for (int y = -QUIET; y < size + QUIET; y += 2) {
      for (int x = -QUIET; x < size + QUIET; x++) {
        boolean topLight = !dark(qr, x, y);
        boolean bottomLight = !dark(qr, x, y + 1);
        sb.append(topLight ? (bottomLight ? '█' : '▀') : (bottomLight ? '▄' : ' '));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static boolean dark(QrCode qr, int x, int y) {
    return x >= 0 && y >= 0 && x < qr.size && y < qr.size && qr.getModule(x, y);
  }
}
