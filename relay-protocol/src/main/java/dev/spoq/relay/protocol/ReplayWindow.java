package dev.spoq.relay.protocol;

/**
 * Sliding-window replay filter for message counters (the scheme of RFC 6479, as WireGuard uses it):
 * a counter is accepted once, and only if it is newer than the highest seen minus the window. Feed
 * it only counters of messages whose tag already verified.
 */
public final class ReplayWindow {

  private static final int WORDS = 32;

  /** Counters older than highest - WINDOW are refused. */
  public static final int WINDOW = (WORDS - 1) * 64;

  private final long[] bitmap = new long[WORDS];
  private long highest = -1;

  /** Marks {@code counter} as seen; false when it was seen already or is too old. */
  public synchronized boolean accept(long counter) {
    if (counter < 0) {
      return false;
    }
    long index = counter >>> 6;
    if (counter > highest) {
      long current = highest >> 6;
      long advance = Math.min(index - current, WORDS);
      for (long i = 1; i <= advance; i++) {
        bitmap[(int) ((current + i) & (WORDS - 1))] = 0;
      }
      highest = counter;
    } else if (highest - counter > WINDOW) {
      return false;
    }
    int word = (int) (index & (WORDS - 1));
    long bit = 1L << (counter & 63);
    if ((bitmap[word] & bit) != 0) {
      return false;
    }
    bitmap[word] |= bit;
    return true;
  }
}
