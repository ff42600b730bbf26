package io.bulwark.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bulwark.topology.analysis.CompositeAvailability;
import io.bulwark.topology.analysis.Layer;
import io.bulwark.topology.analysis.Spof;
import io.bulwark.topology.analysis.TopologyAnalysis;
import io.bulwark.topology.dr.DrFit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The example topologies in examples/ are valid and show what they claim to. */
class ExamplesTest {

  @Test
  void everyExampleIsAValidTopology() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(Examples.dir())) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            "active-active.yaml",
            "edge.yaml",
            "multi-az.yaml",
            "multi-cloud.yaml",
            "pilot-light.yaml",
            "single-az.yaml",
            "warm-standby.yaml");
    for (Path f : files) {
      assertThat(TopologyFile.errors(f.toString(), Files.readString(f))).as(f.toString()).isEmpty();
    }
  }

  @Test
  void theCommittedJsonSchemaIsUpToDate() throws IOException {
    assertThat(Files.readString(Examples.file("bulwark.schema.json")))
        .as("examples/bulwark.schema.json is stale: regenerate it with `bulwark topology schema`")
        .isEqualTo(TopologyFile.jsonSchema());
  }

  @Test
  void singleAzHasASinglePointOfFailureInEveryLayer() {
    TopologyAnalysis a = TopologyAnalysis.of(Examples.load("single-az.yaml"));
    for (Layer layer : Layer.values()) {
      assertThat(a.spofs(layer)).as(layer.name()).isNotEmpty();
    }
    assertThat(a.spofs())
        .extracting(Spof::kind)
        .contains(
            "single internet gateway",
            "single NAT gateway",
            "single instance",
            "single-AZ placement",
            "stateful application",
            "single database instance",
            "no backups",
            "hard-coded dependency",
            "synchronous external API call",
            "over-reliance on cache");
  }

  @Test
  void multiAzHasNoComputeOrDataSpofAndShowsItsFormula() {
    TopologyAnalysis a = TopologyAnalysis.of(Examples.load("multi-az.yaml"));
    assertThat(a.spofs(Layer.COMPUTE)).isEmpty();
    assertThat(a.spofs(Layer.DATA)).isEmpty();
    CompositeAvailability c = a.availability();
    assertThat(c.formula())
        .isEqualTo("A = A_regions × A_ingress × A_web × A_api × A_orders-db × F_orders-db");
    assertThat(c.terms())
        .filteredOn(t -> t.name().equals("A_web"))
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.expression()).isEqualTo("1 − (1 − 0.999·(1 − 0.005^2))^3");
              assertThat(t.availability())
                  .isEqualTo(1 - Math.pow(1 - 0.999 * (1 - 0.005 * 0.005), 3));
            });
    double product =
        c.terms().stream()
            .mapToDouble(CompositeAvailability.Term::availability)
            .reduce(1, (x, y) -> x * y);
    assertThat(c.availability()).isCloseTo(product, within(1e-15));
    // one region's shared infrastructure (99.99 %) and the database failovers bound it
    assertThat(c.availability()).isBetween(0.9997, 0.9998);
    assertThat(a.drFit()).get().satisfies(f -> assertThat(f.meets()).isTrue());
  }

  /**
   * The three redundant examples, pinned to figures a reviewer recomputes by hand: redundancy costs
   * the time to fail over to it. The database primary (server 99.95 % in a 99.9 % zone) is out
   * about 0.15 % of the time; each outage, assumed to last an hour, costs the failover time; each
   * region outage, assumed to last four hours, costs its traffic share for detection + switch, and
   * the outage of the primary's region costs all traffic detection + switch + fence + promote (the
   * replica elsewhere is promoted by hand).
   */
  @Test
  void redundancyCostsTheTimeToFailOverToIt() {
    double primaryOut = 1 - 0.999 * 0.9995;
    // multi-az: a sync standby in the same region; detection 90 s + fence 30 s + promote 5 min
    CompositeAvailability multiAz =
        TopologyAnalysis.of(Examples.load("multi-az.yaml")).availability();
    assertThat(term(multiAz, "F_orders-db")).isCloseTo(1 - primaryOut * 420 / 3600, within(1e-12));
    // active-active: two regions half the traffic each; detection 30 s + switch 60 s per region
    // outage, and for us-east-1, which holds the primary, all traffic for 30 + 60 + fence 30 +
    // promote 300 s; the database as above with a 30 s detection
    CompositeAvailability active =
        TopologyAnalysis.of(Examples.load("active-active.yaml")).availability();
    assertThat(term(active, "F_regions"))
        .isCloseTo(1 - (1 * 0.0001 * 420 + 0.5 * 0.0001 * 90) / 14400, within(1e-12));
    assertThat(term(active, "F_orders-db")).isCloseTo(1 - primaryOut * 360 / 3600, within(1e-12));
    // multi-cloud: three providers at 50/30/20 %, detection 120 s + switch 60 s, and for aws,
    // which holds the primary, all traffic for 120 + 60 + 30 + 300 s; the sync standby in the
    // primary's region fails over in 120 + 30 + 300 s; the async replicas add RPO loss
    CompositeAvailability multiCloud =
        TopologyAnalysis.of(Examples.load("multi-cloud.yaml")).availability();
    assertThat(term(multiCloud, "F_regions"))
        .isCloseTo(
            1 - (1 * 0.0001 * 510 + 0.3 * 0.0001 * 180 + 0.2 * 0.0001 * 180) / 14400,
            within(1e-12));
    assertThat(term(multiCloud, "F_app-db")).isCloseTo(1 - primaryOut * 450 / 3600, within(1e-12));
    assertThat(multiCloud.terms())
        .filteredOn(t -> t.name().equals("F_app-db"))
        .singleElement()
        .satisfies(t -> assertThat(t.what()).contains("asynchronous replica", "RPO"));
    // no longer eleven nines: about 1.7 hours a year, dominated by the database's failovers
    assertThat(multiCloud.availability()).isBetween(0.9997, 0.9999);
    assertThat(multiCloud.downtimeMinutesPerYear()).isBetween(90.0, 110.0);
    // with one serving region the region is one factor of the series, counted once
    assertThat(multiAz.availability())
        .isCloseTo(
            multiAz.terms().stream()
                .mapToDouble(CompositeAvailability.Term::availability)
                .reduce(1, (x, y) -> x * y),
            within(1e-15));
  }

  /**
   * A region is a shared failure domain above its zones: its outage takes every zone in it down at
   * once. Pinned by hand on the three examples (region 99.99 %, zone 99.9 %, instance 99.5 %,
   * database server 99.95 %, gateway 99.99 %):
   *
   * <pre>
   * w2 = 0.999·(1 − 0.005²)  a zone with two instances       w1 = 0.999·0.995  with one
   * d  = 0.999·0.9995        a zone with one database server
   * P(both up) = 0.9999², P(only one up) = 0.9999·0.0001 (three regions: 0.9999³, 0.9999²·0.0001,
   * 0.9999·0.0001²)
   * </pre>
   */
  @Test
  void aRegionOutageTakesDownAllOfItsZones() {
    double w2 = 0.999 * (1 - 0.005 * 0.005);
    double w1 = 0.999 * 0.995;
    double d = 0.999 * 0.9995;
    double up = 0.9999;
    double down = 0.0001;

    // multi-az, one region: A = 0.9999 × A_ingress × A_web × A_api × A_db × F_db
    //   A_ingress = 1 − 0.0001³; web 2 per zone in 3 zones; api 1 per zone in 3; db 2 zones
    //   F_db = 1 − (1 − d)·420/3600
    CompositeAvailability multiAz =
        TopologyAnalysis.of(Examples.load("multi-az.yaml")).availability();
    double multiAzByHand =
        up
            * (1 - Math.pow(down, 3))
            * (1 - Math.pow(1 - w2, 3))
            * (1 - Math.pow(1 - w1, 3))
            * (1 - Math.pow(1 - d, 2))
            * (1 - (1 - d) * 420 / 3600);
    assertThat(multiAz.availability()).isCloseTo(multiAzByHand, within(1e-12));
    assertThat(multiAz.regionStates())
        .singleElement()
        .satisfies(s -> assertThat(s.probability()).isCloseTo(up, within(1e-15)));

    // active-active: us-east-1 and eu-west-1, each 3 gateways, web 6 = 2 per zone, api 3 = 1 per
    // zone; the database has 2 zones in us-east-1 (primary, sync standby) and 1 in eu-west-1.
    //   A(us, eu) = (1 − 0.0001⁶)·(1 − (1 − w2)⁶)·(1 − (1 − w1)⁶)·(1 − (1 − d)³)
    //   A(us)     = (1 − 0.0001³)·(1 − (1 − w2)³)·(1 − (1 − w1)³)·(1 − (1 − d)²)
    //   A(eu)     = (1 − 0.0001³)·(1 − (1 − w2)³)·(1 − (1 − w1)³)·d
    //   A = [0.9999²·A(us, eu) + 0.9999·0.0001·(A(us) + A(eu))] × F_regions × F_db
    double oneRegionServices =
        (1 - Math.pow(down, 3)) * (1 - Math.pow(1 - w2, 3)) * (1 - Math.pow(1 - w1, 3));
    double bothUp =
        (1 - Math.pow(down, 6))
            * (1 - Math.pow(1 - w2, 6))
            * (1 - Math.pow(1 - w1, 6))
            * (1 - Math.pow(1 - d, 3));
    double usOnly = oneRegionServices * (1 - Math.pow(1 - d, 2));
    double euOnly = oneRegionServices * d;
    double activeByHand =
        (up * up * bothUp + up * down * (usOnly + euOnly))
            * (1 - (down * 420 + down * 0.5 * 90) / 14400)
            * (1 - (1 - d) * 360 / 3600);
    CompositeAvailability active =
        TopologyAnalysis.of(Examples.load("active-active.yaml")).availability();
    assertThat(active.availability()).isCloseTo(activeByHand, within(1e-12));
    // eu-west-1 alone holds one database server: losing us-east-1 leaves a 99.85 % service
    assertThat(active.regionStates())
        .extracting(CompositeAvailability.RegionState::up)
        .containsExactly(
            List.of("us-east-1", "eu-west-1"), List.of("eu-west-1"), List.of("us-east-1"));
    assertThat(active.regionStates().get(1).availability()).isCloseTo(euOnly, within(1e-15));
    // the region outages cost about what the old model, with regions independent of their
    // zones, missed: the figure is lower than the product of the terms with both regions up
    double allUpProduct =
        active.terms().stream()
            .mapToDouble(CompositeAvailability.Term::availability)
            .reduce(1, (x, y) -> x * y);
    assertThat(active.availability()).isLessThan(allUpProduct);

    // multi-cloud: aws (2 gateways; app 2 + 1; db primary and sync standby in 2 zones), azure (2
    // gateways; app 1 + 1; one async replica), gcp (2 gateways; app 1; one async replica).
    // Given the set S of clouds up, with u_r what region r leaves down:
    //   A(S) = (1 − 0.0001^(2·|S|))·(1 − Π_S app_r)·(1 − Π_S db_r)
    //   app_aws = (1 − w2)(1 − w1), app_azure = (1 − w1)², app_gcp = 1 − w1
    //   db_aws = (1 − d)², db_azure = db_gcp = 1 − d
    //   A = Σ_S P(S)·A(S) × F_regions × F_db, over the 7 states with at least one cloud up
    double[] app = {(1 - w2) * (1 - w1), Math.pow(1 - w1, 2), 1 - w1};
    double[] db = {Math.pow(1 - d, 2), 1 - d, 1 - d};
    double sum = 0;
    for (int mask = 1; mask < 8; mask++) {
      double p = 1;
      double appDown = 1;
      double dbDown = 1;
      int n = 0;
      for (int r = 0; r < 3; r++) {
        if ((mask & 1 << r) != 0) {
          p *= up;
          appDown *= app[r];
          dbDown *= db[r];
          n++;
        } else {
          p *= down;
        }
      }
      sum += p * (1 - Math.pow(down, 2 * n)) * (1 - appDown) * (1 - dbDown);
    }
    double cloudByHand =
        sum
            * (1 - (down * 510 + 0.3 * down * 180 + 0.2 * down * 180) / 14400)
            * (1 - (1 - d) * 450 / 3600);
    CompositeAvailability multiCloud =
        TopologyAnalysis.of(Examples.load("multi-cloud.yaml")).availability();
    assertThat(multiCloud.availability()).isCloseTo(cloudByHand, within(1e-12));
    assertThat(multiCloud.regionStates()).hasSize(7);
    assertThat(multiCloud.formula())
        .startsWith("A = Σ_S P(S)·A_ingress(S)·A_app(S)·A_app-db(S) × F_regions × F_app-db");
    // what docs/topology.md says of the three
    assertThat(multiAz.availability()).isBetween(0.99972, 0.99973);
    assertThat(active.availability()).isBetween(0.99984, 0.99985);
    assertThat(multiCloud.availability()).isBetween(0.99980, 0.99981);
  }

  private static double term(CompositeAvailability c, String name) {
    return c.terms().stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no term " + name + " in " + c.formula()))
        .availability();
  }

  @Test
  void multiAzKeepsTheSeedsLoadBalancerAndScalingNumbers() {
    Topology t = Examples.load("multi-az.yaml");
    Service web = t.service("web").orElseThrow();
    assertThat(web.healthCheck())
        .isEqualTo(
            new Service.HealthCheck(
                "/health", Duration.ofSeconds(30), Duration.ofSeconds(5), 2, 2, "200"));
    assertThat(web.rollout())
        .isEqualTo(
            new Service.Rollout(
                Duration.ofSeconds(300), Duration.ofSeconds(300), Duration.ofSeconds(30), 50));
    assertThat(t.layout(web).get("us-east-1"))
        .containsExactly(
            Map.entry("us-east-1a", 2), Map.entry("us-east-1b", 2), Map.entry("us-east-1c", 2));
    assertThat(t.traffic().orElseThrow().affinity().ttl()).isEqualTo(Duration.ofSeconds(86_400));
    assertThat(t.database().orElseThrow().backups().orElseThrow().window())
        .isEqualTo("03:00-04:00");
  }

  @Test
  void multiCloudPlacesSixReplicasThreeTwoOneAndWeighsPoolsFiftyThirtyTwenty() {
    Topology t = Examples.load("multi-cloud.yaml");
    Map<String, Map<String, Integer>> layout = t.layout(t.service("app").orElseThrow());
    assertThat(layout.keySet()).containsExactly("aws-us-east-1", "azure-eastus", "gcp-us-east1");
    assertThat(
            layout.values().stream().map(z -> z.values().stream().mapToInt(i -> i).sum()).toList())
        .containsExactly(3, 2, 1);
    Traffic traffic = t.traffic().orElseThrow();
    assertThat(traffic.pools()).extracting(Traffic.Pool::weight).containsExactly(50, 30, 20);
    assertThat(traffic.fallbackPool()).contains("aws");
    assertThat(traffic.affinity()).isEqualTo(new Traffic.Affinity(true, Duration.ofSeconds(3600)));
    assertThat(traffic.headers())
        .extracting(Traffic.HeaderRule::header)
        .containsOnly("x-preferred-cloud");
    assertThat(traffic.geo())
        .extracting(Traffic.GeoRule::match)
        .containsExactly("ENAM", "WNAM", "EEU");
    assertThat(traffic.monitor().checkRegions()).containsExactly("aws-us-east-1");
    assertThat(traffic.routes())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.pathContains()).contains("/health");
              assertThat(r.noAffinity()).isTrue();
              assertThat(r.ttl()).contains(Duration.ofSeconds(30));
            });
  }

  @Test
  void eachDrExampleDeclaresAStrategyItCanDeliverAndMeet() {
    for (String name :
        List.of(
            "multi-az.yaml",
            "pilot-light.yaml",
            "warm-standby.yaml",
            "active-active.yaml",
            "multi-cloud.yaml")) {
      Topology t = Examples.load(name);
      DrStrategy s = t.dr().orElseThrow().strategy();
      assertThat(s.gaps(t)).as(name).isEmpty();
      assertThat(DrFit.of(t.dr().get()).meets()).as(name).isTrue();
    }
  }

  @Test
  void theLocalProfileUsesFasterDefaults() {
    Topology t =
        TopologyFile.parse(
            "local.yaml",
            """
            name: drill
            profile: local
            regions: [{name: here, role: primary, zones: [z1, z2]}]
            services: [{name: web, instances: {min: 2, max: 2}}]
            traffic: {pools: [{name: main, region: here}]}
            """);
    Service web = t.services().get(0);
    assertThat(web.healthCheck().interval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(web.healthCheck().timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(web.rollout().gracePeriod()).isEqualTo(Duration.ofSeconds(5));
    assertThat(web.rollout().warmUp()).isEqualTo(Duration.ofSeconds(2));
    assertThat(web.instances().desired()).isEqualTo(2);
    assertThat(t.traffic().orElseThrow().pools().get(0).service()).isEqualTo("web");
    assertThat(t.traffic().get().pools().get(0).weight()).isEqualTo(100);
  }
}
