package io.bulwark.fleet.scenario;

import io.bulwark.fleet.load.LoadGenerator;
import io.bulwark.fleet.load.LoadResult;
import io.bulwark.fleet.stack.LocalStack;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code header-routing}: the same three weighted pools with Istio-style rules; requests carrying
 * {@code x-preferred-cloud: aws|azure|gcp} must all land on that cloud, the rest follow the
 * weights.
 */
public final class HeaderRouting implements Scenario {
  private static final String HEADER = "x-preferred-cloud";
  private static final List<String> CLOUDS = List.of("aws", "azure", "gcp");

  @Override
  public String name() {
    return "header-routing";
  }

  @Override
  public String claim() {
    return "every request with " + HEADER + ": <cloud> is served by that cloud's pool, exactly";
  }

  @Override
  public ScenarioResult run(ScenarioOptions options) {
    try (LocalStack stack = Runs.start(name(), Runs.threeClouds(), options);
        LoadGenerator load = Runs.load(options, Runs.MAX_IN_FLIGHT)) {
      long count = Math.max(400, (long) (options.rate() * options.duration().toMillis() / 1000.0));
      double rate = Math.max(options.rate(), count / (options.duration().toMillis() / 1000.0));
      options.progress().accept(count + " requests, 3 of 4 with " + HEADER + " ...");
      String url = stack.url();
      LoadResult r =
          load.run(
              rate,
              count,
              () -> false,
              n -> {
                HttpRequest.Builder b =
                    HttpRequest.newBuilder(URI.create(url + "/api/v1/items/" + (n % 1000)));
                int k = (int) (n % 4);
                return k == 0 ? b : b.header(HEADER, CLOUDS.get(k - 1));
              },
              resp ->
                  resp.request().headers().firstValue(HEADER).orElse("none")
                      + "->"
                      + resp.headers().firstValue("X-Region").orElse("?"));
      List<String> violations = new ArrayList<>();
      Runs.loadHeld(r, options, violations);
      Map<String, Object> exact = new LinkedHashMap<>();
      for (String cloud : CLOUDS) {
        long sent =
            r.byLabel().entrySet().stream()
                .filter(e -> e.getKey().startsWith(cloud + "->"))
                .mapToLong(Map.Entry::getValue)
                .sum();
        long right = r.byLabel().getOrDefault(cloud + "->" + cloud, 0L);
        exact.put(cloud, right + " of " + sent);
        if (sent == 0 || right != sent) {
          violations.add(
              (sent - right) + " of " + sent + " requests preferring " + cloud + " went elsewhere");
        }
      }
      Map<String, Long> unpinned = new LinkedHashMap<>();
      r.byLabel()
          .forEach(
              (k, v) -> {
                if (k.startsWith("none->")) {
                  unpinned.put(k.substring("none->".length()), v);
                }
              });
      return new ScenarioResult(
          name(),
          claim(),
          violations.isEmpty(),
          r,
          Runs.map("pinned_served_by_that_cloud", exact, "unpinned_by_cloud", unpinned),
          violations);
    }
  }
}
