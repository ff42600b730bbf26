package io.bulwark.states.internal.jsonata;

import com.dashjoin.jsonata.Jsonata;
import com.dashjoin.jsonata.Jsonata.Frame;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The functions Step Functions adds to JSONata ({@code $partition}, {@code $range}, {@code $hash},
 * {@code $random}, {@code $uuid}, {@code $parse}) and the one it removes ({@code $eval}).
 */
final class StepFunctionsFunctions {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  static final Set<String> HASH_ALGORITHMS =
      Set.of("MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512");
  private static final int MAX_RANGE = 1000;

  private StepFunctionsFunctions() {}

  /** Thrown by a Step Functions function on bad arguments; becomes States.QueryEvaluationError. */
  static final class FunctionFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FunctionFailure(String message) {
      this(message, null);
    }

    FunctionFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  static void bind(Frame frame) {
    frame.bind("partition", Jsonata.function("partition", StepFunctionsFunctions::partition, null));
    frame.bind("range", Jsonata.function("range", StepFunctionsFunctions::range, null));
    frame.bind("hash", Jsonata.function("hash", StepFunctionsFunctions::hash, null));
    frame.bind("random", Jsonata.function("random", StepFunctionsFunctions::random, null));
    frame.bind("uuid", Jsonata.function("uuid", StepFunctionsFunctions::uuid, null));
    frame.bind("parse", Jsonata.function("parse", StepFunctionsFunctions::parse, null));
    frame.bind("eval", (Object) null);
  }

  private static Object arg(List<?> args, int i) {
    return i < args.size() ? args.get(i) : null;
  }

  private static void arity(String name, List<?> args, int min, int max) {
    if (args.size() < min || args.size() > max) {
      throw new FunctionFailure(
          "Function $"
              + name
              + " expects "
              + (min == max ? String.valueOf(min) : min + " to " + max)
              + " argument(s) but got "
              + args.size());
    }
  }

  private static long integer(String name, String what, Object v) {
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    throw new FunctionFailure("Function $" + name + ": " + what + " must be an integer");
  }

  private static Object partition(List<?> args) {
    arity("partition", args, 2, 2);
    if (!(arg(args, 0) instanceof List<?> array)) {
      throw new FunctionFailure("Function $partition: the first argument must be an array");
    }
    long size = integer("partition", "chunk size", arg(args, 1));
    if (size <= 0) {
      throw new FunctionFailure("Function $partition: chunk size must be greater than 0");
    }
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i += (int) size) {
      out.add(new ArrayList<>(array.subList(i, (int) Math.min(array.size(), i + size))));
    }
    return out;
  }

  private static Object range(List<?> args) {
    arity("range", args, 3, 3);
    long start = integer("range", "start", arg(args, 0));
    long end = integer("range", "end", arg(args, 1));
    long step = integer("range", "step", arg(args, 2));
    if (step == 0) {
      throw new FunctionFailure("Function $range: step must not be 0");
    }
    List<Object> out = new ArrayList<>();
    for (long i = start; step > 0 ? i <= end : i >= end; i += step) {
      if (out.size() == MAX_RANGE) {
        throw new FunctionFailure(
            "Function $range: the range must not contain more than " + MAX_RANGE + " items");
      }
      out.add(i);
    }
    return out;
  }

  private static Object hash(List<?> args) {
    arity("hash", args, 2, 2);
    if (!(arg(args, 0) instanceof String data)) {
      throw new FunctionFailure("Function $hash: the data to hash must be a string");
    }
    if (!(arg(args, 1) instanceof String algorithm) || !HASH_ALGORITHMS.contains(algorithm)) {
      throw new FunctionFailure(
          "Function $hash: the algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512");
    }
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance(algorithm).digest(data.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without " + algorithm, e);
    }
  }

  private static Object random(List<?> args) {
    arity("random", args, 0, 1);
    if (args.isEmpty() || args.get(0) == null) {
      return ThreadLocalRandom.current().nextDouble();
    }
    return new Random(integer("random", "seed", args.get(0))).nextDouble();
  }

  private static Object uuid(List<?> args) {
    arity("uuid", args, 0, 0);
    return UUID.randomUUID().toString();
  }

  private static Object parse(List<?> args) {
    arity("parse", args, 1, 1);
    if (!(arg(args, 0) instanceof String text)) {
      throw new FunctionFailure("Function $parse: the argument must be a string");
    }
    try {
      return JsonataValues.toJava(MAPPER.readTree(text));
    } catch (JsonProcessingException e) {
      throw new FunctionFailure("Function $parse: the argument is not valid JSON: " + text, e);
    }
  }
}
