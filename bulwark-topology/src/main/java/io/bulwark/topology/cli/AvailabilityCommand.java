package io.bulwark.topology.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import io.bulwark.topology.analysis.DowntimeBudget;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bulwark availability 99.99}: the downtime an availability target allows. */
@Command(
    name = "availability",
    mixinStandardHelpOptions = true,
    description = {
      "Downtime allowed per year, month, week and day by an availability percentage.",
      "Year = 365.25 days, month = year/12, week = year/52.18, day = year/365.25 (as the seed)."
    })
public final class AvailabilityCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "PERCENT",
      description = "availability, e.g. 99.99 or 99.99%%")
  String percent;

  @Option(names = "--json", description = "print exact numbers as JSON")
  boolean json;

  @Option(
      names = "--year-days",
      paramLabel = "DAYS",
      description = "days in a year (default 365.25; 365 reproduces the classic 8.76 h table)")
  String yearDays = "365.25";

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DowntimeBudget b;
    try {
      double days;
      try {
        days = Double.parseDouble(yearDays);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--year-days must be a number like 365.25, got \"" + yearDays + "\"", e);
      }
      b = DowntimeBudget.of(DowntimeBudget.parsePercent(percent), days);
    } catch (IllegalArgumentException e) {
      return Loading.badInput(err, e.getMessage());
    }
    if (json) {
      ObjectNode n = Json.object();
      n.put("availability", b.percent());
      n.put("label", b.label());
      if (Double.isFinite(b.nines())) {
        n.put("nines", b.nines());
      } else {
        n.putNull("nines");
      }
      n.put("year_days", b.yearDays());
      n.put("weeks_per_year", DowntimeBudget.weeksPerYear(b.yearDays()));
      ObjectNode minutes = n.putObject("downtime_minutes");
      minutes.put("year", b.minutesPerYear());
      minutes.put("month", b.minutesPerMonth());
      minutes.put("week", b.minutesPerWeek());
      minutes.put("day", b.minutesPerDay());
      ObjectNode text = n.putObject("downtime");
      text.put("year", DowntimeBudget.format(b.minutesPerYear()));
      text.put("month", DowntimeBudget.format(b.minutesPerMonth()));
      text.put("week", DowntimeBudget.format(b.minutesPerWeek()));
      text.put("day", DowntimeBudget.format(b.minutesPerDay()));
      out.println(Json.write(n));
    } else {
      out.printf("availability  %s%%  (%s)%n", plain(b.percent()), b.label());
      out.printf("per year      %s%s%n", DowntimeBudget.format(b.minutesPerYear()), classic(b));
      out.printf("per month     %s%n", DowntimeBudget.format(b.minutesPerMonth()));
      out.printf("per week      %s%n", DowntimeBudget.format(b.minutesPerWeek()));
      out.printf("per day       %s%n", DowntimeBudget.format(b.minutesPerDay()));
      out.printf(
          "(%s-day year; month = year/12, week = year/%s, day = year/%s)%n",
          plain(b.yearDays()),
          plain(DowntimeBudget.weeksPerYear(b.yearDays())),
          plain(b.yearDays()));
    }
    out.flush();
    return 0;
  }

  /**
   * The seed's reference table was computed with a 365-day year although its formula says 365.25
   * (99.9 % is 8.76 hours there, 8.766 here): name the table's figure where the two differ.
   */
  private static String classic(DowntimeBudget b) {
    if (b.yearDays() == 365) {
      return "";
    }
    String table = DowntimeBudget.format(DowntimeBudget.of(b.percent(), 365).minutesPerYear());
    return table.equals(DowntimeBudget.format(b.minutesPerYear()))
        ? ""
        : "  (" + table + " on a 365-day year, as in the seed's table)";
  }

  private static String plain(double v) {
    return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }
}
