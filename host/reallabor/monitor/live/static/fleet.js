/* reallabor live: the fleet view. The server sorts the devices (problems first) and names each
   problem by a message key; this file words and draws them, and fetches the table again when the
   event stream says something changed (at most once a second). */
"use strict";

(function () {
  var t = RL.t;
  var TIME_PARAMS = { since: true, wake: true };
  var pending = null;
  var debug = window.reallabor = { loads: 0, rows: [] };

  function words(p) {
    var params = {};
    Object.keys(p.params).forEach(function (k) {
      var v = p.params[k];
      params[k] = TIME_PARAMS[k] && v ? RL.dayTime(v) : k === "health" ? t("health.word." + v) : v;
    });
    return t(p.key, params);
  }

  function state(r) {
    if (r.state === "sleeping") return t("live.state.sleeping", { time: RL.hhmm(r.wake) });
    if (r.state === "late") return t("live.state.late", { time: RL.hhmm(r.wake) });
    if (r.state === "offline") return r.since ? t("live.state.offline_since", { time: RL.dayTime(r.since) }) : t("live.state.offline");
    if (r.state === "silent") return t("live.state.silent", { time: RL.dayTime(r.t) });
    if (r.state === "never") return t("live.state.never");
    return t("live.state.online");
  }

  function duration(s) {
    if (s < 3600) return Math.round(s / 60) + " min";
    if (s < 86400) return (s / 3600).toFixed(1) + " h";
    return (s / 86400).toFixed(1) + " d";
  }

  function cell(tr, labelKey, content) {
    var td = RL.el("td");
    td.dataset.label = t(labelKey);
    if (typeof content === "string") td.textContent = content; else if (content) td.appendChild(content);
    tr.appendChild(td);
    return td;
  }

  function list(items, cls) {
    var ul = RL.el("ul", cls);
    items.forEach(function (i) { var li = RL.el("li", i.cls || "", i.text); ul.appendChild(li); });
    return ul;
  }

  function render(data) {
    RL.setClock(data.now, 1);
    debug.loads++;
    debug.rows = data.rows;
    var body = document.getElementById("rows");
    body.textContent = "";
    document.getElementById("none").hidden = data.rows.length > 0;
    data.rows.forEach(function (r) {
      var tr = RL.el("tr", "sev-" + r.severity);
      tr.dataset.device = r.device;
      tr.dataset.state = r.state;
      var who = RL.el("div");
      who.appendChild(RL.el("div", "name", r.name));
      who.appendChild(RL.el("div", "id", r.device + (r.board ? " · " + r.board : "")));
      cell(tr, "live.fleet.col.device", who);
      cell(tr, "live.fleet.col.state", state(r));
      cell(tr, "live.fleet.col.last_seen", r.last_seen ? RL.dayTime(r.last_seen) + " (" + RL.age(r.last_seen) + ")" : "–");
      cell(tr, "live.fleet.col.readings", r.readings || r.missing ? t("live.fleet.readings", { count: r.readings, missing: r.missing }) : "–");
      cell(tr, "live.fleet.col.battery", r.battery_mv ? RL.number(r.battery_mv / 1000, 2) + " V" : "–");
      cell(tr, "live.fleet.col.signal", r.rssi_dbm !== null && r.rssi_dbm !== undefined ? r.rssi_dbm + " dBm" : "–");
      var fw = r.firmware || "–";
      if (r.reset) fw += " · " + t("live.fleet.reset", { reset: t("live.reset." + r.reset), uptime: duration(r.uptime_s || 0) });
      cell(tr, "live.fleet.col.firmware", fw);
      var sensors = Object.keys(r.health);
      var bad = sensors.filter(function (s) { return r.health[s] !== "ok"; });
      var td = cell(tr, "live.fleet.col.sensors", bad.length ? list(bad.map(function (s) {
        return { text: t("live.health.line", { sensor: s, word: t("health.word." + r.health[s]) }), cls: "h-" + r.health[s] };
      })) : sensors.length ? t("live.health.all_ok") : "–");
      td.title = sensors.join(", ");
      cell(tr, "live.fleet.col.problems", r.problems.length ? list(r.problems.map(function (p) {
        return { text: words(p), cls: "sev-" + p.severity };
      }), "problems") : t("live.fleet.ok"));
      body.appendChild(tr);
    });
  }

  function load() {
    pending = null;
    fetch("/api/fleet").then(function (r) { return r.json(); }).then(render);
  }

  function soon() { if (!pending) pending = setTimeout(load, 1000); }

  function connection(s) {
    var conn = document.getElementById("conn");
    conn.dataset.state = s;
    conn.textContent = t({ connecting: "live.conn.connecting", open: "live.conn.live", lost: "live.conn.lost" }[s]);
  }

  RL.chooseLanguage();
  RL.loadTexts().then(function () {
    RL.stream({ snapshot: load, reading: soon, status: soon }, connection);
    setInterval(soon, 30000);
  });
})();
