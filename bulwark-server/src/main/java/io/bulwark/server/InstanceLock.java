package io.bulwark.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Who owns an instance directory: an operating-system lock on {@code <instance>/owner.lock}, held
 * while the server runs and released by the kernel when its process ends, however it ends (kill -9
 * included). The file says the owner's PID and, once it listens, its URL, so a second server on the
 * same directory is refused naming both, and only a directory whose owner is gone is recovered (its
 * orphaned PostgreSQL stopped).
 */
public final class InstanceLock implements AutoCloseable {

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private InstanceLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code instanceDir}.
   *
   * @throws InstanceRunningException when a live process holds it
   */
  public static InstanceLock acquire(Path instanceDir) {
    Path file = instanceDir.resolve("owner.lock");
    FileChannel channel = null;
    try {
      Files.createDirectories(instanceDir);
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        String owner = Files.readString(file, StandardCharsets.UTF_8).strip();
        channel.close();
        throw new InstanceRunningException(
            "another Bulwark server ("
                + (owner.isEmpty() ? "starting" : owner)
                + ") is running on "
                + instanceDir
                + "; stop it first, or use another --home",
            null);
      }
      InstanceLock held = new InstanceLock(file, channel, lock);
      held.describe("pid " + ProcessHandle.current().pid() + ", starting");
      return held;
    } catch (java.nio.channels.OverlappingFileLockException e) {
      close(channel);
      throw new InstanceRunningException(
          "a Bulwark server in this process already runs on " + instanceDir, e);
    } catch (IOException e) {
      close(channel);
      throw new UncheckedIOException("cannot lock " + file, e);
    }
  }

  /** Records what the owner is, e.g. {@code pid 4242, http://127.0.0.1:8080}. */
  public void describe(String owner) {
    try {
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((owner + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        channel.truncate(0);
        lock.release();
      }
    } catch (IOException e) {
      // the lock goes with the channel anyway
    } finally {
      close(channel);
    }
  }

  private static void close(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }
  }
}
