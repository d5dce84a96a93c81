/* reallabor live: the cards and the chart. Everything the page shows comes from the server: a
   snapshot on every (re)connect, then one event per reading, status or marker. The server decides
   bands and trends (monitor/live/quantities.py); this file only draws them. */
"use strict";

(function () {
  var t = RL.t;
  var PROJECTOR = location.pathname.replace(/\/$/, "") === "/projector";
  var COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];
  var DECIMALS = { temperature: 1, humidity: 0, pressure: 0, co2: 0, illuminance: 0 };
  var ARROWS = { up: "↑", rising: "↗", steady: "→", falling: "↘", down: "↓" };

  var meta = null;
  var devices = {};  // id -> the device as the snapshot and events left it
  var markers = [];
  var view = { quantity: null, range: 1800, delta: false };
  var series = {};  // device -> [[t...], [v...]] of view.quantity
  var chart = null;
  var chartKey = "";
  var redraw = null;
  var debug = window.reallabor = { snapshots: 0, events: 0, devices: devices, series: series, chart: null,
                                   view: view, rendered: 0, markers: function () { return markers; } };

  if (PROJECTOR) document.body.classList.add("projector");

  function decimals(q, value) {
    if (q in DECIMALS) return DECIMALS[q];
    return Math.abs(value) < 10 ? 1 : 0;  // particulate matter
  }

  function quantityName(q) {
    var key = "live.quantity." + q;
    var text = t(key);
    return text === key ? q : text;
  }

  // --- cards -------------------------------------------------------------------------------------

  function stateOf(d) {
    var s = d.status || {};
    if (s.state === "offline") return { cls: "offline", text: s.retained || !s.received ? t("live.state.offline")
      : t("live.state.offline_since", { time: RL.hhmm(s.received) }) };
    if (s.state === "sleeping" && s.wake) {
      // late after 2 minutes of the wall clock (in the demo its time runs faster)
      if (RL.now() > s.wake + 120 * Math.max(1, meta.rate)) return { cls: "late", text: t("live.state.late", { time: RL.hhmm(s.wake) }) };
      return { cls: "sleeping", text: t("live.state.sleeping", { time: RL.hhmm(s.wake) }) };
    }
    return { cls: "online", text: t("live.state.online") };
  }

  function card(d) {
    var node = document.querySelector('.card[data-device="' + CSS.escape(d.device) + '"]');
    if (!node) {
      node = RL.el("article", "card");
      node.dataset.device = d.device;
      var head = RL.el("header");
      head.appendChild(RL.el("h2", "name"));
      head.appendChild(RL.el("span", "state"));
      node.appendChild(head);
      node.appendChild(RL.el("div", "values"));
      var foot = RL.el("footer");
      foot.appendChild(RL.el("span", "age"));
      foot.appendChild(RL.el("ul", "health"));
      node.appendChild(foot);
      insertSorted(node, d);
    }
    var state = stateOf(d);
    node.dataset.state = state.cls;
    node.querySelector(".name").textContent = d.name || d.device;
    node.querySelector(".name").title = d.device;
    node.querySelector(".state").textContent = state.text;
    var values = node.querySelector(".values");
    values.textContent = "";
    (d.values || []).forEach(function (v) {
      var box = RL.el("div", "value");
      box.dataset.quantity = v.quantity;
      box.appendChild(RL.el("div", "label", quantityName(v.quantity)));
      var line = RL.el("div", "number");
      line.appendChild(RL.el("span", "num", RL.number(v.value, decimals(v.quantity, v.value))));
      line.appendChild(RL.el("span", "unit", v.unit));
      if (v.trend) {
        var arrow = RL.el("span", "trend trend-" + v.trend, ARROWS[v.trend]);
        arrow.title = t("live.trend." + v.trend);
        arrow.setAttribute("aria-label", arrow.title);
        line.appendChild(arrow);
      }
      box.appendChild(line);
      if (v.band) {
        var band = RL.el("div", "band level-" + v.band.level + (v.quantity === "co2" ? " co2" : ""), t(v.band.word));
        band.dataset.level = v.band.level;
        box.appendChild(band);
      }
      box.title = v.sensor;
      values.appendChild(box);
    });
    var health = node.querySelector(".health");
    health.textContent = "";
    var bad = Object.keys(d.health || {}).filter(function (s) { return d.health[s] !== "ok"; });
    if (!bad.length && Object.keys(d.health || {}).length) health.appendChild(RL.el("li", "ok", t("live.health.all_ok")));
    bad.forEach(function (s) {
      var item = RL.el("li", "h-" + d.health[s], t("live.health.line", { sensor: s, word: t("health.word." + d.health[s]) }));
      item.dataset.health = d.health[s];
      health.appendChild(item);
    });
    ages(node, d);
  }

  function insertSorted(node, d) {
    var cards = document.getElementById("cards");
    var empty = cards.querySelector(".empty");
    if (empty) empty.remove();
    var name = (d.name || d.device).toLowerCase();
    var after = Array.prototype.find.call(cards.querySelectorAll(".card"), function (c) {
      return c.querySelector(".name").textContent.toLowerCase() > name;
    });
    cards.insertBefore(node, after || null);
  }

  function ages(node, d) {
    var a = node.querySelector(".age");
    a.textContent = d.t ? RL.age(d.t) : "";
    a.dataset.t = d.t || "";
    node.classList.toggle("old", !!d.t && RL.now() - d.t > 600 && node.dataset.state === "online");
  }

  function tick() {
    Object.keys(devices).forEach(function (id) {
      var node = document.querySelector('.card[data-device="' + CSS.escape(id) + '"]');
      if (node) {
        ages(node, devices[id]);
        var state = stateOf(devices[id]);
        if (node.dataset.state !== state.cls) card(devices[id]);
      }
    });
    scheduleChart();
  }

  function showEmpty() {
    var cards = document.getElementById("cards");
    if (!cards.children.length) cards.appendChild(RL.el("p", "empty", t("live.empty")));
  }

  // --- chart -------------------------------------------------------------------------------------

  function quantities() {
    var have = {};
    Object.keys(devices).forEach(function (id) {
      (devices[id].values || []).forEach(function (v) { have[v.quantity] = v.unit; });
    });
    var order = meta.order.filter(function (q) { return q in have; });
    Object.keys(have).sort().forEach(function (q) { if (order.indexOf(q) < 0) order.push(q); });
    return { list: order, units: have };
  }

  function quantityButtons() {
    var box = document.getElementById("quantities");
    var qs = quantities();
    if (!view.quantity && qs.list.length) {
      view.quantity = qs.list[0];
      loadHistory();
    }
    var have = Array.prototype.map.call(box.children, function (b) { return b.dataset.quantity; }).join(",");
    if (have === qs.list.join(",")) return;
    box.textContent = "";
    qs.list.forEach(function (q) {
      var b = RL.el("button", q === view.quantity ? "on" : "", quantityName(q));
      b.type = "button";
      b.dataset.quantity = q;
      b.onclick = function () {
        view.quantity = q;
        box.querySelectorAll("button").forEach(function (x) { x.classList.toggle("on", x === b); });
        loadHistory();
      };
      box.appendChild(b);
    });
  }

  function loadHistory() {
    if (!view.quantity) return;
    var until = RL.now();
    var q = view.quantity;
    fetch("/api/history?quantity=" + encodeURIComponent(q) + "&since=" + (until - view.range) + "&until=" + (until + 3600))
      .then(function (r) { return r.json(); })
      .then(function (h) {
        if (q !== view.quantity) return;
        Object.keys(series).forEach(function (k) { delete series[k]; });
        Object.keys(h.series).forEach(function (d) { series[d] = h.series[d]; });
        markers = h.markers.concat(markers.filter(function (m) { return m.t > h.until; }));
        buildChart();
      });
  }

  function addPoint(e) {
    var v = (e.values || []).find(function (x) { return x.quantity === view.quantity; });
    if (!v) return;
    var s = series[e.device] || (series[e.device] = [[], []]);
    var ts = s[0], vs = s[1];
    var i = ts.length;
    while (i > 0 && ts[i - 1] > e.t) i--;
    if (i > 0 && ts[i - 1] === e.t) return;
    ts.splice(i, 0, e.t);
    vs.splice(i, 0, v.value);
    scheduleChart();
  }

  function aligned() {
    var ids = Object.keys(series).sort(function (a, b) {
      return (devices[a] && devices[a].name || a).localeCompare(devices[b] && devices[b].name || b);
    });
    var from = RL.now() - view.range;
    var times = {};
    ids.forEach(function (id) { series[id][0].forEach(function (x) { if (x >= from - 60) times[x] = true; }); });
    var xs = Object.keys(times).map(Number).sort(function (a, b) { return a - b; });
    var index = new Map(xs.map(function (x, i) { return [x, i]; }));
    var data = [xs];
    ids.forEach(function (id) {
      var col = new Array(xs.length).fill(null);
      var ts = series[id][0], vs = series[id][1];
      var base = null;
      for (var i = 0; i < ts.length; i++) {
        if (!index.has(ts[i])) continue;
        if (base === null) base = vs[i];
        col[index.get(ts[i])] = view.delta ? vs[i] - base : vs[i];
      }
      data.push(col);
    });
    return { ids: ids, data: data };
  }

  function guidePlugin() {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx;
          var box = u.bbox;
          ctx.save();
          ctx.font = Math.round(12 * devicePixelRatio) + "px sans-serif";
          if (!view.delta) {
            (meta.lines[view.quantity] || []).forEach(function (line) {
              var y = u.valToPos(line.value, "y", true);
              if (y < box.top || y > box.top + box.height) return;
              ctx.strokeStyle = "#b00020";
              ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
              ctx.lineWidth = devicePixelRatio;
              ctx.beginPath();
              ctx.moveTo(box.left, y);
              ctx.lineTo(box.left + box.width, y);
              ctx.stroke();
              ctx.fillStyle = "#b00020";
              var label = t(line.label);
              ctx.fillText(label, box.left + box.width - ctx.measureText(label).width - 4 * devicePixelRatio,
                           y - 4 * devicePixelRatio);
            });
          }
          ctx.setLineDash([]);
          markers.forEach(function (m) {
            var x = u.valToPos(m.t, "x", true);
            if (x < box.left || x > box.left + box.width) return;
            ctx.strokeStyle = "#555";
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(x, box.top);
            ctx.lineTo(x, box.top + box.height);
            ctx.stroke();
            // the label beside the line's top, on white so the curves do not hide it
            var w = ctx.measureText(m.text).width, h = 14 * devicePixelRatio;
            ctx.fillStyle = "rgba(255,255,255,.85)";
            ctx.fillRect(x + 3 * devicePixelRatio, box.top + 2 * devicePixelRatio, w + 6 * devicePixelRatio, h + 4 * devicePixelRatio);
            ctx.fillStyle = "#222";
            ctx.fillText(m.text, x + 6 * devicePixelRatio, box.top + h);
          });
          ctx.restore();
        }]
      }
    };
  }

  function yRange(u, min, max) {
    var lines = view.delta ? [] : (meta.lines[view.quantity] || []).map(function (l) { return l.value; });
    if (min === null || max === null) return [0, 1];
    // show a guide line when the values come near it (within half the span)
    lines.forEach(function (v) { if (v > max && v < max + (max - min + 1) * 0.6) max = v; });
    var pad = (max - min) * 0.08 || 1;
    return [min - pad, max + pad];
  }

  function buildChart() {
    var a = aligned();
    var key = view.quantity + "|" + a.ids.join(",") + "|" + view.delta + "|" + RL.lang();
    var box = document.getElementById("chart");
    document.getElementById("no-data").hidden = a.data[0].length > 0;
    if (chart && key === chartKey) {
      chart.setData(a.data, false);
      window_();
      return;
    }
    if (chart) chart.destroy();
    box.textContent = "";
    var unit = quantities().units[view.quantity] || "";
    var opts = {
      width: Math.max(280, box.clientWidth),
      height: PROJECTOR ? Math.max(260, Math.round(window.innerHeight * 0.38)) : 300,
      scales: { x: { time: true }, y: { range: yRange } },
      axes: [{ values: function (u, splits) { return splits.map(function (v) { return RL.hhmm(v); }); } }, { label: (view.delta ? "Δ " : "") + quantityName(view.quantity) + " [" + unit + "]", size: 60,
                values: function (u, splits) { return splits.map(function (v) { return RL.number(v, Math.abs(v) < 10 && v % 1 ? 1 : 0); }); } }],
      series: [{ label: t("live.chart.time"), value: function (u, v) { return v === null ? "–" : RL.dayTime(v); } }].concat(a.ids.map(function (id, i) {
        return { label: devices[id] && devices[id].name || id, stroke: COLOURS[i % COLOURS.length], width: 2,
                 spanGaps: true, points: { show: false } };
      })),
      legend: { show: true, live: !PROJECTOR },
      cursor: { drag: { x: false, y: false } },
      plugins: [guidePlugin()]
    };
    chart = debug.chart = new uPlot(opts, a.data, box);
    chartKey = key;
    window_();
  }

  function window_() {
    var until = RL.now();
    chart.setScale("x", { min: until - view.range, max: until });
    debug.rendered++;
  }

  function scheduleChart() {
    if (redraw || !view.quantity) return;
    redraw = setTimeout(function () { redraw = null; buildChart(); }, 100);
  }

  // --- events ------------------------------------------------------------------------------------

  function onSnapshot(s) {
    RL.setClock(s.now, s.rate);
    debug.snapshots++;
    Object.keys(devices).forEach(function (k) { delete devices[k]; });
    document.getElementById("cards").textContent = "";
    s.devices.forEach(function (d) {
      devices[d.device] = d;
      if (d.t || d.status) card(d);
    });
    showEmpty();
    markers = s.markers;
    broker(s.broker);
    quantityButtons();
    loadHistory();
  }

  function onReading(e) {
    RL.setClock(e.now, meta.rate);
    debug.events++;
    var d = devices[e.device] || (devices[e.device] = { device: e.device, status: null });
    d.name = e.name;
    if (e.latest) {
      d.seq = e.seq; d.t = e.t; d.received = e.received; d.values = e.values; d.health = e.health; d.node = e.node;
      if (!d.status || d.status.state !== "sleeping") d.status = d.status && d.status.state === "online" ? d.status
        : { state: "online", retained: true };
      card(d);
      quantityButtons();
      debug.drawn = Date.now();  // when the card showed it (bench/live.py measures publish -> here)
    }
    addPoint(e);
  }

  function onStatus(e) {
    RL.setClock(e.now, meta.rate);
    debug.events++;
    var d = devices[e.device] || (devices[e.device] = { device: e.device });
    d.name = e.name;
    d.status = e.status;
    card(d);
  }

  function onMarker(e) {
    markers.push(e.marker);
    scheduleChart();
  }

  function broker(up) {
    var conn = document.getElementById("conn");
    if (conn.dataset.state === "open" || conn.dataset.state === "broker") {
      conn.dataset.state = up ? "open" : "broker";
      conn.textContent = t(up ? "live.conn.live" : "live.conn.broker_down");
    }
  }

  function connection(state) {
    var conn = document.getElementById("conn");
    conn.dataset.state = state;
    conn.textContent = t({ connecting: "live.conn.connecting", open: "live.conn.live", lost: "live.conn.lost" }[state]);
    debug.connected = state === "open";
  }

  // --- controls ----------------------------------------------------------------------------------

  function controls() {
    document.querySelectorAll("[data-range]").forEach(function (b) {
      b.onclick = function () {
        view.range = Number(b.dataset.range);
        document.querySelectorAll("[data-range]").forEach(function (x) { x.classList.toggle("on", x === b); });
        loadHistory();
      };
    });
    document.getElementById("delta").onchange = function (ev) { view.delta = ev.target.checked; buildChart(); };
    var form = document.getElementById("markers");
    form.hidden = !meta.can_mark || PROJECTOR;
    form.querySelectorAll("[data-marker]").forEach(function (b) {
      b.textContent = t(b.dataset.marker);
      b.onclick = function () { mark(t(b.dataset.marker)); };
    });
    document.getElementById("marker-text").placeholder = t("live.marker.custom");
    form.onsubmit = function (ev) {
      ev.preventDefault();
      var input = document.getElementById("marker-text");
      if (input.value.trim()) mark(input.value.trim());
      input.value = "";
    };
    var from = document.getElementById("dl-from"), to = document.getElementById("dl-to");
    function local(s) {
      var d = new Date(s * 1000);
      return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    }
    function links() {
      var f = from.value ? new Date(from.value).getTime() / 1000 : RL.now() - 86400;
      var u = to.value ? new Date(to.value).getTime() / 1000 + 59 : RL.now();
      document.getElementById("dl-csv").href = "/api/export?format=csv&from=" + f + "&to=" + u;
      document.getElementById("dl-json").href = "/api/export?format=json&from=" + f + "&to=" + u;
    }
    from.value = local(RL.now() - 86400);
    to.value = local(RL.now());
    from.onchange = to.onchange = links;
    links();
    if (meta.demo) {
      var demo = document.getElementById("demo");
      demo.hidden = false;
      demo.textContent = t("live.demo", { rate: meta.rate });
    }
    if (PROJECTOR) {
      document.getElementById("qr-box").hidden = false;
      document.getElementById("qr").src = "/qr.svg";
      fetch("/api/address").then(function (r) { return r.json(); }).then(function (a) {
        document.getElementById("qr-url").textContent = a.url;
        document.getElementById("qr-loopback").hidden = !/^https?:\/\/(127\.|localhost|\[::1\])/.test(a.url);
      });
    }
    window.addEventListener("resize", function () { if (chart) chart.setSize({ width: document.getElementById("chart").clientWidth, height: chart.height }); });
  }

  function mark(text) {
    fetch("/api/markers", { method: "POST", headers: { "Content-Type": "application/json" },
                             body: JSON.stringify({ text: text }) });
  }

  RL.chooseLanguage();
  Promise.all([RL.loadTexts(), fetch("/api/meta").then(function (r) { return r.json(); })]).then(function (r) {
    meta = r[1];
    RL.setClock(meta.now, meta.rate);
    controls();
    RL.stream({ snapshot: onSnapshot, reading: onReading, status: onStatus, marker: onMarker,
                broker: function (e) { broker(e.connected); } }, connection);
    setInterval(tick, 1000);
  });
})();
