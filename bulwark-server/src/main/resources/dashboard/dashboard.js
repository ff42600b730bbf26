// The dashboard's only script: plain JavaScript, no libraries. It listens to /dashboard/events
// (server-sent events, one "figures" event a tick) and writes each figure into its element, the
// raw value in data-raw (what tests read) and a formatted one as text.
"use strict";
(function () {
  var token = new URLSearchParams(location.hash.slice(1)).get("token");
  var url = "/dashboard/events" + (token ? "?token=" + encodeURIComponent(token) : "");
  var status = document.getElementById("status");

  function show(id, raw, text) {
    var el = document.getElementById(id);
    el.dataset.raw = raw === null || raw === undefined ? "" : String(raw);
    el.textContent = raw === null || raw === undefined ? "–" : text;
  }

  function fixed(n, digits) {
    return Number(n).toFixed(digits);
  }

  function render(f) {
    show("ordersPerSecond", f.ordersPerSecond, fixed(f.ordersPerSecond, 2));
    show("ordersPlaced", f.ordersPlaced, String(f.ordersPlaced));
    show("confirmedShare", f.confirmedShare, fixed(f.confirmedShare * 100, 1) + " %");
    show("revenue", f.revenueMinor,
        fixed(f.revenueMinor / 100, 2) + (f.currency ? " " + f.currency : ""));
    document.getElementById("revenue").dataset.currency = f.currency || "";
    show("p50Ms", f.p50Ms, fixed(f.p50Ms, 1) + " ms");
    show("p99Ms", f.p99Ms, fixed(f.p99Ms, 1) + " ms");
    show("queueDepth", f.queueDepth, String(f.queueDepth));
    show("dlqSize", f.dlqSize, String(f.dlqSize));
    show("breakerState", f.breakerState, f.breakerState);
    document.getElementById("breakerState").className = "value " + (f.breakerState || "");
    var zones = Object.keys(f.instancesByZone).sort().map(function (z) {
      return z + ": " + f.instancesByZone[z];
    });
    show("instancesByZone", JSON.stringify(f.instancesByZone), zones.join(", "));
    show("errorBudgetLeftPercent", f.errorBudgetLeftPercent,
        fixed(f.errorBudgetLeftPercent, 1) + " %");
    show("at", f.at, new Date(f.at).toLocaleTimeString());
  }

  var source = new EventSource(url);
  source.addEventListener("open", function () {
    status.textContent = "live";
    status.className = "live";
  });
  source.addEventListener("figures", function (e) {
    render(JSON.parse(e.data));
  });
  source.addEventListener("error", function () {
    // EventSource reconnects by itself (after a 503 or 403 it gives up: readyState CLOSED)
    status.textContent = source.readyState === EventSource.CLOSED ? "refused" : "reconnecting";
    status.className = "down";
  });
})();
