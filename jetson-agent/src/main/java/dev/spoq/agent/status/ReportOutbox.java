package dev.spoq.agent.status;

import dev.spoq.agent.registry.ControlPlaneException;
import dev.spoq.agent.util.Json;
import dev.spoq.agent.util.SecureFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Status reports waiting for the registry, on disk, oldest first, at most {@code max} (the oldest
 * are dropped). A report is removed only after the registry accepted it.
 */
public class ReportOutbox {

  private static final Logger log = LoggerFactory.getLogger(ReportOutbox.class);

  private final Path dir;
  private final int max;
  private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis() * 1000);

  public ReportOutbox(Path dir, int max) {
    this.dir = dir;
    this.max = Math.max(1, max);
  }

  public synchronized void enqueue(JsonNode report) {
    String name = String.format("%020d.json", sequence.incrementAndGet());
    SecureFiles.write(dir.resolve(name), Json.MAPPER.writeValueAsString(report), true);
    List<Path> files = files();
    for (int i = 0; i < files.size() - max; i++) {
      delete(files.get(i));
      log.warn("report queue full ({}); dropped the oldest report", max);
    }
  }

  /** Sends queued reports in order; stops at the first failure (they stay queued). */
  public synchronized int flush(Consumer<JsonNode> sender) {
    int sent = 0;
    for (Path file : files()) {
      JsonNode report;
      try {
        report = Json.MAPPER.readTree(file.toFile());
      } catch (JacksonException e) {
        log.warn("queued report {} is corrupt; moving it aside", file.getFileName());
        try {
          Files.move(file, file.resolveSibling(file.getFileName() + ".bad"));
        } catch (IOException ignored) {
          delete(file);
        }
        continue;
      }
      try {
        sender.accept(report);
      } catch (ControlPlaneException e) {
        if (e.transientFailure()) {
          return sent;
        }
        log.warn("registry refused a queued report ({}); dropping it", e.getMessage());
      }
      delete(file);
      sent++;
    }
    return sent;
  }

  public synchronized int size() {
    return files().size();
  }

  private List<Path> files() {
    List<Path> result = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return result;
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.json")) {
      stream.forEach(result::add);
    } catch (IOException e) {
      log.warn("cannot list {}: {}", dir, e.getMessage());
    }
    result.sort(null);
    return result;
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // retried next flush
    }
  }
}
