package io.bulwark.commerce;

import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A Bulwark server with commerce as its own process, for crash tests: {@code <jdbcUrl> <home>
 * <gatewayUrl>}. Prints {@code READY <port>} once serving; stops when standard input closes.
 */
public final class CommerceProcessMain {

  static final String ADMIN_PASSWORD = "crash-admin-password";

  private CommerceProcessMain() {}

  public static void main(String[] args) throws Exception {
    BulwarkServer.Builder b =
        BulwarkServer.builder(
            ServerConfig.builder()
                .name("crash")
                .home(Path.of(args[1]))
                .httpPort(0)
                .jdbcUrl(args[0])
                .poolSize(12)
                .shutdownGrace(Duration.ofSeconds(1))
                .build());
    Commerce commerce =
        Commerce.install(
            b,
            CommerceOptions.builder()
                .jwtSecret(TestServer.SECRET)
                .bcryptCost(4)
                .paymentGateway(URI.create(args[2]))
                .pollInterval(Duration.ofMillis(100))
                .sagaLease(Duration.ofSeconds(2))
                .build());
    BulwarkServer server = b.start();
    DemoData.seed(commerce, ADMIN_PASSWORD);
    System.out.println("READY " + server.port());
    System.out.flush();
    while (System.in.read() >= 0) {
      // runs until the parent closes our input (or kills us)
    }
    server.close();
  }
}
