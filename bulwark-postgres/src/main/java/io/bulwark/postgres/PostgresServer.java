package io.bulwark.postgres;

import io.bulwark.kernel.Check;
import io.bulwark.kernel.OwnedProcesses;
import io.bulwark.kernel.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server process that Bulwark owns: initialises its data directory on first
 * start, recovers from a crashed previous run (stale {@code postmaster.pid}, or an orphaned
 * postmaster still holding the directory), starts on a chosen or free port, and stops with a fast
 * shutdown. Durable by default: {@code fsync} and {@code synchronous_commit} stay on.
 */
public final class PostgresServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);

  /** The superuser created by {@code initdb}; local connections are trusted on loopback only. */
  public static final String SUPERUSER = "postgres";

  private static final String UNSHARE = "/usr/bin/unshare";
  private static final String SETSID = "/usr/bin/setsid";
  private static final boolean RUNNING_AS_ROOT =
      new com.sun.security.auth.module.UnixSystem().getUid() == 0;

  private final PostgresBinaries binaries;
  private final Path dataDir;
  private final String host;
  private final int requestedPort;
  private final Map<String, String> settings;
  private final Duration startTimeout;
  private final boolean dieWithParent;
  private final int walSegmentSizeMb;
  private Process process;
  private int port;

  private PostgresServer(Builder b) {
    this.binaries = b.binaries != null ? b.binaries : PostgresBinaries.defaults();
    this.dataDir = b.dataDir.toAbsolutePath();
    this.host = b.host;
    this.requestedPort = b.port;
    this.settings = Map.copyOf(b.settings);
    this.startTimeout = b.startTimeout;
    this.dieWithParent = b.dieWithParent;
    this.walSegmentSizeMb = b.walSegmentSizeMb;
  }

  /** A builder for a server whose data lives in {@code dataDir}. */
  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** Initialises (if needed) and starts the server; returns once it accepts connections. */
  public synchronized PostgresServer start() {
    if (process != null && process.isAlive()) {
      return this;
    }
    try {
      Files.createDirectories(dataDir.getParent());
      if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
        initdb();
      }
      recoverStaleRun();
      for (int attempt = 1; ; attempt++) {
        port = requestedPort != 0 ? requestedPort : freePort();
        if (launch()) {
          break;
        }
        if (requestedPort != 0 || attempt >= 3) {
          throw new PostgresException(
              "PostgreSQL did not start on port " + port + "; see " + logFile());
        }
        log.warn("port {} was taken before PostgreSQL bound it; retrying", port);
      }
      log.info("PostgreSQL {} ready on {}:{} (data {})", version(), host, port, dataDir);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start PostgreSQL in " + dataDir, e);
    }
  }

  /**
   * Starts the server again on the port it had, after it stopped or died (recovering its data
   * directory as {@link #start()} does); returns once it accepts connections. The JDBC URLs handed
   * out before stay valid.
   *
   * @throws PostgresException when it does not start (the port taken meanwhile, say)
   * @throws IllegalStateException when it was never started
   */
  public synchronized PostgresServer restart() {
    if (port == 0) {
      throw new IllegalStateException("PostgreSQL in " + dataDir + " was never started");
    }
    if (process != null && process.isAlive()) {
      return this;
    }
    try {
      recoverStaleRun();
      if (!launch()) {
        throw new PostgresException(
            "PostgreSQL did not start again on port " + port + "; see " + logFile());
      }
      log.info("PostgreSQL restarted on {}:{} (data {})", host, port, dataDir);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restart PostgreSQL in " + dataDir, e);
    }
  }

  /** The port the server listens on (valid after {@link #start()}). */
  public int port() {
    return port;
  }

  /** The address the server listens on (default 127.0.0.1). */
  public String host() {
    return host;
  }

  /** The data directory. */
  public Path dataDir() {
    return dataDir;
  }

  /** The server log file, next to the data directory. */
  public Path logFile() {
    return dataDir.resolveSibling(dataDir.getFileName() + ".log");
  }

  /** The PID of the running postmaster, if any. */
  public Optional<Long> pid() {
    return process != null && process.isAlive() ? Optional.of(process.pid()) : Optional.empty();
  }

  /** JDBC URL of database {@code database} on this server. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** Opens a superuser connection to {@code database}. */
  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, "");
  }

  /** Creates {@code database} unless it exists. */
  public void createDatabaseIfMissing(String database) {
    if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          "database name must match [a-z_][a-z0-9_]{0,62} but was \"" + database + "\"");
    }
    try (Connection c = connect("postgres");
        var st = c.prepareStatement("select 1 from pg_database where datname = ?")) {
      st.setString(1, database);
      if (!st.executeQuery().next()) {
        try (var create = c.createStatement()) {
          create.execute("create database " + database);
        }
      }
    } catch (SQLException e) {
      throw new PostgresException("cannot create database " + database + ": " + e.getMessage(), e);
    }
  }

  /** Fast shutdown (rolls back open transactions, checkpoints); waits until the process exits. */
  @Override
  public synchronized void close() {
    if (process == null || !process.isAlive()) {
      return;
    }
    run(
        command("pg_ctl", "stop", "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60"),
        Duration.ofSeconds(70));
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    log.info("PostgreSQL on port {} stopped", port);
  }

  /** Kills the postmaster with SIGKILL, as a crash would; for failure tests and drills. */
  public synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Immediate shutdown ({@code SIGQUIT} to the postmaster): every backend exits at once without a
   * checkpoint, so no further transaction commits; the next start runs crash recovery. This is how
   * a primary that lost its lease is fenced: it is fast (well under a second) and, unlike a {@code
   * SIGKILL} of the postmaster alone, leaves no backend running on behalf of a connected client.
   * Waits until the postmaster has exited.
   */
  public synchronized void stopImmediately() {
    if (process == null || !process.isAlive()) {
      return;
    }
    signal(process.pid(), "QUIT");
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    log.info("PostgreSQL on port {} stopped immediately", port);
  }

  /** Whether the postmaster this object started is running. */
  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  /**
   * Promotes a standby to primary ({@code pg_promote}) and waits until it accepts writes.
   *
   * @throws PostgresException when the server is not a standby or did not finish in {@code wait}
   */
  public void promote(Duration wait) {
    try (Connection c = connect("postgres");
        var st = c.prepareStatement("select pg_promote(true, ?)")) {
      st.setInt(1, (int) Math.max(1, wait.toSeconds()));
      var rs = st.executeQuery();
      if (!rs.next() || !rs.getBoolean(1)) {
        throw new PostgresException(
            "PostgreSQL on port " + port + " did not finish promotion within " + wait);
      }
    } catch (SQLException e) {
      throw new PostgresException(
          "cannot promote PostgreSQL on port " + port + ": " + e.getMessage(), e);
    }
  }

  private static void signal(long pid, String signal) {
    try {
      Process p = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).start();
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot signal process " + pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PostgresException("interrupted while signalling process " + pid, e);
    }
  }

  private void initdb() throws IOException {
    Path tmp = dataDir.resolveSibling(dataDir.getFileName() + ".initdb");
    Trees.delete(tmp);
    log.info("initialising PostgreSQL data directory {}", dataDir);
    int rc =
        run(
            command(
                "initdb",
                "-D",
                tmp.toString(),
                "-U",
                SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--wal-segsize=" + walSegmentSizeMb,
                "--no-sync"),
            Duration.ofMinutes(2));
    if (rc != 0) {
      throw new PostgresException("initdb failed with exit code " + rc + " for " + dataDir);
    }
    // initdb into a side directory, then rename: a crash mid-initdb never leaves a half-made one.
    Trees.delete(dataDir);
    Files.move(tmp, dataDir);
  }

  private void recoverStaleRun() throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    long pid = lines.isEmpty() ? -1 : parseLong(lines.get(0).trim());
    Optional<ProcessHandle> holder = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
    boolean isPostgres =
        holder
            .flatMap(h -> h.info().command())
            .map(cmd -> cmd.endsWith("/postgres") || cmd.endsWith("postgres"))
            .orElse(false);
    if (holder.isPresent() && holder.get().isAlive() && isPostgres) {
      log.warn(
          "a PostgreSQL process (pid {}) from a previous run still holds {}; stopping it",
          pid,
          dataDir);
      int rc =
          run(
              command("pg_ctl", "stop", "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60"),
              Duration.ofSeconds(70));
      if (rc != 0) {
        holder.get().destroyForcibly();
      }
    } else {
      log.warn("removing stale postmaster.pid (pid {} is gone) from {}", pid, dataDir);
      Files.deleteIfExists(pidFile);
    }
  }

  private boolean launch() throws IOException {
    List<String> cmd = new ArrayList<>(command("postgres"));
    if (dieWithParent) {
      if (!OwnedProcesses.available()) {
        throw new PostgresException(
            "dieWithParent needs " + OwnedProcesses.SETPRIV + " (util-linux), which is missing");
      }
      // Fence for a supervisor killed with -9: the kernel sends the postmaster SIGQUIT (immediate
      // shutdown) when its owner dies. setsid does not fork here (a child of the JVM is no
      // process group leader), so the signal is armed on the postmaster itself.
      int at = cmd.get(0).equals(SETSID) ? 1 : 0;
      cmd.addAll(at, OwnedProcesses.deathSignalPrefix("SIGQUIT"));
    }
    cmd.add("-D");
    cmd.add(dataDir.toString());
    cmd.add("-p");
    cmd.add(Integer.toString(port));
    Map<String, String> all = new LinkedHashMap<>();
    all.put("listen_addresses", host);
    all.put("unix_socket_directories", "");
    all.put("fsync", "on");
    all.put("synchronous_commit", "on");
    all.put("max_connections", "200");
    all.putAll(settings);
    all.forEach(
        (k, v) -> {
          cmd.add("-c");
          cmd.add(k + "=" + v);
        });
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
    process = dieWithParent ? OwnedProcesses.start(pb) : pb.start();
    Instant deadline = Instant.now().plus(startTimeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        return false;
      }
      try {
        connect("postgres").close();
        return true;
      } catch (SQLException notYet) {
        sleepQuietly(50);
      }
    }
    process.destroyForcibly();
    throw new PostgresException(
        "PostgreSQL did not accept connections within " + startTimeout + "; see " + logFile());
  }

  private String version() {
    try (Connection c = connect("postgres");
        var rs = c.createStatement().executeQuery("show server_version")) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      return "?";
    }
  }

  /**
   * The command line for a PostgreSQL program. PostgreSQL refuses to run as root; when we are root
   * (containers, CI) the program runs in a user namespace where it is an ordinary user, so its
   * files stay owned by us and nothing else changes.
   */
  private List<String> command(String program, String... args) {
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(Path.of(SETSID))) {
      // Own session: a Ctrl-C meant for the JVM must not reach PostgreSQL before we stop it.
      cmd.add(SETSID);
    }
    if (RUNNING_AS_ROOT) {
      if (!Files.isExecutable(Path.of(UNSHARE))) {
        throw new PostgresException(
            "PostgreSQL cannot run as root and "
                + UNSHARE
                + " (util-linux) is missing to run it as an ordinary user; run Bulwark as a"
                + " non-root user or install util-linux");
      }
      cmd.addAll(List.of(UNSHARE, "--user", "--map-user=1000", "--map-group=1000", "--"));
    }
    cmd.add(binaries.bin(program).toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static int run(List<String> cmd, Duration timeout) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new PostgresException(String.join(" ", cmd) + " did not finish within " + timeout);
      }
      if (p.exitValue() != 0) {
        log.warn("{} exited with {}: {}", String.join(" ", cmd), p.exitValue(), out.strip());
      }
      return p.exitValue();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PostgresException("interrupted while running " + String.join(" ", cmd), e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PostgresException("interrupted while waiting for PostgreSQL", e);
    }
  }

  /** Builder; every value has a default except the data directory. */
  public static final class Builder {
    private final Path dataDir;
    private PostgresBinaries binaries;
    private String host = "127.0.0.1";
    private int port;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private Duration startTimeout = Duration.ofSeconds(60);
    private boolean dieWithParent;
    private int walSegmentSizeMb = 16;

    private Builder(Path dataDir) {
      if (dataDir == null) {
        throw new IllegalArgumentException("dataDir must not be null");
      }
      this.dataDir = dataDir;
    }

    /**
     * Address to listen on and to connect to; default 127.0.0.1. Connections from other hosts also
     * need an entry in the data directory's {@code pg_hba.conf}.
     *
     * @throws IllegalArgumentException when it is no IPv4 address or host name
     */
    public Builder host(String host) {
      this.host = Check.host("host", host);
      return this;
    }

    /** Port to listen on; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in 0..65535 but was " + port);
      }
      this.port = port;
      return this;
    }

    /** A server setting passed as {@code -c name=value}, e.g. {@code ("fsync","off")}. */
    public Builder setting(String name, String value) {
      settings.put(name, value);
      return this;
    }

    /** Which unpacked binaries to run; default {@link PostgresBinaries#defaults()}. */
    public Builder binaries(PostgresBinaries binaries) {
      this.binaries = binaries;
      return this;
    }

    /**
     * Whether the server stops immediately when the thread that started it dies (the JVM killed
     * with -9 included); default false. A supervisor that fences its server on losing a lease sets
     * this, so that its own death fences the server too; an owner sets it so that no PostgreSQL
     * outlives it. The postmaster is started from a thread of this server's own that lives until
     * {@link #close()}, so the thread that calls {@link #start()} may end.
     */
    public Builder dieWithParent(boolean dieWithParent) {
      this.dieWithParent = dieWithParent;
      return this;
    }

    /**
     * WAL segment size in MB given to {@code initdb} (a power of two, 1..1024; default 16). Smaller
     * segments make each archived WAL file, and so the archive of a quiet local cluster, smaller.
     */
    public Builder walSegmentSizeMb(int mb) {
      if (mb < 1 || mb > 1024 || Integer.bitCount(mb) != 1) {
        throw new IllegalArgumentException(
            "walSegmentSizeMb must be a power of two in 1..1024 but was " + mb);
      }
      this.walSegmentSizeMb = mb;
      return this;
    }

    /** How long to wait for the server to accept connections; default 60 s. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    public PostgresServer build() {
      return new PostgresServer(this);
    }
  }
}
