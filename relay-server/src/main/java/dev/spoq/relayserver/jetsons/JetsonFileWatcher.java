package dev.spoq.relayserver.jetsons;

import dev.spoq.relayserver.datapath.Relay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetson set of a static (self-hosted) relay: a JSON file with the coordinator's body, read at
 * start and again within a second of every change. A broken file keeps the last good set.
 */
public final class JetsonFileWatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JetsonFileWatcher.class);

  private final Path file;
  private final Relay relay;
  private final Thread thread;
  private volatile boolean running = true;
  private FileTime lastModified;
  private long lastSize = -1;
  private String lastContent;

  public JetsonFileWatcher(Path file, Relay relay) {
    this.file = file;
    this.relay = relay;
    this.thread = new Thread(this::loop, "relay-jetsons-file");
    thread.setDaemon(true);
  }

  public void start() {
    if (!reload()) {
      throw new IllegalStateException("cannot read the Jetson set from " + file);
    }
    thread.start();
  }

  private void loop() {
    while (running) {
      try {
        Thread.sleep(500);
        reload();
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private boolean reload() {
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      long size = Files.size(file);
      if (modified.equals(lastModified) && size == lastSize) {
        return true;
      }
      String content = Files.readString(file);
      lastModified = modified;
      lastSize = size;
      if (Objects.equals(content, lastContent)) {
        return true;
      }
      relay.apply(JetsonSet.parse(content));
      lastContent = content;
      return true;
    } catch (IOException | RuntimeException e) {
      log.warn("Jetson set file {} unusable, keeping the last set: {}", file, e.toString());
      return false;
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
