package dev.spoq.agent.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Atomic writes with owner-only permissions for secrets and state. */
public final class SecureFiles {

  private static final Set<PosixFilePermission> OWNER_RW =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_RWX =
      PosixFilePermissions.fromString("rwx------");

  private SecureFiles() {}

  /** Writes atomically (temp file + rename); {@code secret} means mode 0600 from the start. */
  public static void write(Path file, String content, boolean secret) {
    write(file, content.getBytes(StandardCharsets.UTF_8), secret);
  }

  public static void write(Path file, byte[] content, boolean secret) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      createPrivateDirectories(dir);
      Path tmp = dir.resolve("." + file.getFileName() + ".tmp" + ProcessHandle.current().pid());
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp,
          PosixFilePermissions.asFileAttribute(
              secret ? OWNER_RW : PosixFilePermissions.fromString("rw-r-----")));
      Files.write(tmp, content, StandardOpenOption.TRUNCATE_EXISTING);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Creates a new 0600 file; fails if it exists (never overwrites a key). */
  public static void createSecret(Path file, String content) {
    try {
      createPrivateDirectories(file.toAbsolutePath().getParent());
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_RW));
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (FileAlreadyExistsException e) {
      throw new IllegalStateException(file + " already exists; refusing to overwrite it", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  public static void createPrivateDirectories(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, OWNER_RWX);
    }
  }

  public static boolean isOwnerOnly(Path file) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      return !perms.contains(PosixFilePermission.GROUP_READ)
          && !perms.contains(PosixFilePermission.OTHERS_READ)
          && !perms.contains(PosixFilePermission.GROUP_WRITE)
          && !perms.contains(PosixFilePermission.OTHERS_WRITE);
    } catch (IOException e) {
      return false;
    }
  }
}
