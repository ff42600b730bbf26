package io.bulwark.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Structured logs: one JSON object per line in a size-rotated file, for log shippers: {@code
 * @timestamp} (ISO-8601 with the offset), {@code level}, {@code logger_name}, {@code thread_name},
 * the formatted {@code message}, each MDC entry as a key of its own (the request's {@code
 * correlationId}, …) and {@code stack_trace}.
 * The fields are those of logstash-logback-encoder's {@code LogstashEncoder}, written by {@link
 * JsonLineEncoder}, which costs less than half the CPU per line on the server's virtual threads.
 * HikariCP's per-connection "marked as broken" warnings are left out (ERROR and above only).
 */
public final class JsonLogs {

  private JsonLogs() {}

  /** Adds a JSON file appender at INFO for {@code io.bulwark} to the root logger. */
  public static void toFile(Path file) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J backend is in charge; leave its configuration alone
    }
    JsonLineEncoder encoder = new JsonLineEncoder();
    encoder.setContext(context);
    encoder.start();

    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setContext(context);
    appender.setName("json-file");
    appender.setFile(file.toString());
    appender.setEncoder(encoder);
    SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
    policy.setContext(context);
    policy.setParent(appender);
    policy.setFileNamePattern(file + ".%d{yyyy-MM-dd}.%i.gz");
    policy.setMaxFileSize(FileSize.valueOf("50MB"));
    policy.setMaxHistory(7);
    policy.setTotalSizeCap(FileSize.valueOf("1GB"));
    policy.start();
    appender.setRollingPolicy(policy);
    appender.start();

    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(appender);
    ch.qos.logback.classic.Logger bulwark = context.getLogger("io.bulwark");
    if (bulwark.getLevel() == null || bulwark.getLevel().isGreaterOrEqual(Level.WARN)) {
      bulwark.setLevel(Level.INFO);
    }
    // a lost database marks each pooled connection broken, one WARN with a stack trace apiece;
    // the database supervisor and the retrying loops say it once
    ch.qos.logback.classic.Logger brokenConnections =
        context.getLogger("com.zaxxer.hikari.pool.ProxyConnection");
    if (brokenConnections.getLevel() == null) {
      brokenConnections.setLevel(Level.ERROR);
    }
  }
}
