package dev.spoq.testsupport.netns;

/** The outcome of a short command: its exit code and combined stdout + stderr. */
public record ExecResult(int exitCode, String output) {

  public boolean ok() {
    return exitCode == 0;
  }
}
