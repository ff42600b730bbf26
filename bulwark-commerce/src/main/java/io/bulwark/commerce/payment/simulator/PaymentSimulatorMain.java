package io.bulwark.commerce.payment.simulator;

import java.io.IOException;
import java.util.List;

/**
 * Runs the payment-gateway simulator as its own process. Prints {@code payment-simulator listening
 * on port N} once ready; stops when its standard input closes (so it never outlives the process
 * that started it) or on SIGTERM. Exit 2 for bad arguments.
 */
public final class PaymentSimulatorMain {

  /** Line prefix announcing the port on standard output. */
  public static final String READY = "payment-simulator listening on port ";

  private PaymentSimulatorMain() {}

  /** Entry point; see {@link SimulatorOptions#parse}. */
  public static void main(String[] args) throws IOException {
    SimulatorOptions options;
    try {
      options = SimulatorOptions.parse(List.of(args));
    } catch (IllegalArgumentException e) {
      System.err.println("payment-simulator: " + e.getMessage());
      System.exit(2);
      return;
    }
    PaymentSimulator simulator = PaymentSimulator.start(options);
    Runtime.getRuntime().addShutdownHook(new Thread(simulator::close, "simulator-stop"));
    System.out.println(READY + simulator.port());
    System.out.flush();
    while (System.in.read() >= 0) {
      // keep reading: end of input means the parent is gone
    }
    simulator.close();
    System.exit(0);
  }
}
