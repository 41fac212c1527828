package dev.spoq.e2e.harness;

import dev.spoq.e2e.RepoPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Private copies of the services' exec jars for one run, so a rebuild of a module while the harness
 * runs (other work on the same checkout) cannot pull a jar from under a running service.
 */
public final class Jars {

  private Jars() {}

  public static synchronized Path snapshot(String module, Path workDir) {
    Path copy = workDir.resolve("jars").resolve(module + ".jar");
    if (Files.isRegularFile(copy)) {
      return copy;
    }
    IOException last = null;
    for (int attempt = 0; attempt < 15; attempt++) {
      try {
        Files.createDirectories(copy.getParent());
        Path tmp = copy.resolveSibling(module + ".jar.tmp");
        Files.copy(RepoPaths.execJar(module), tmp, StandardCopyOption.REPLACE_EXISTING);
        verify(tmp);
        Files.move(tmp, copy, StandardCopyOption.REPLACE_EXISTING);
        return copy;
      } catch (IOException e) {
        // Being rewritten right now: try again shortly.
        last = e;
        Wait.sleep(2000);
      }
    }
    throw new IllegalStateException("no intact jar for " + module, last);
  }

  /** Reads every entry, nested jars included, so a half-written jar is refused. */
  private static void verify(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      byte[] buf = new byte[64 * 1024];
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        try (InputStream in = zip.getInputStream(e)) {
          while (in.read(buf) >= 0) {
            // checks the CRC as it reads
          }
        }
      }
    }
  }
}
