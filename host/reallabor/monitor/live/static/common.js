/* reallabor live: what the live page and the fleet page share. Texts come from the server
   (/api/texts, the project's message catalog); German unless the reader switched to English.
   Times are shown in the browser's time zone; "now" is the server's clock (wall time, or the
   demo's faster time), so a phone with a wrong clock still shows the right ages. */
"use strict";

var RL = (function () {
  var texts = {};
  var lang = "de";
  var clock = { server: Date.now() / 1000, local: Date.now() / 1000, rate: 1 };

  function chooseLanguage() {
    var q = new URLSearchParams(location.search).get("lang");
    var stored = null;
    try { stored = localStorage.getItem("reallabor.lang"); } catch (e) { /* private mode */ }
    lang = q === "en" || q === "de" ? q : stored === "en" ? "en" : "de";
    document.documentElement.lang = lang;
    return lang;
  }

  function loadTexts() {
    return fetch("/api/texts?lang=" + lang).then(function (r) { return r.json(); }).then(function (t) {
      texts = t;
      document.querySelectorAll("[data-t]").forEach(function (el) { el.textContent = tr(el.dataset.t); });
      var button = document.getElementById("lang");
      if (button) {
        button.textContent = tr("live.lang.other");
        button.onclick = function () {
          try { localStorage.setItem("reallabor.lang", tr("live.lang.other_code")); } catch (e) { /* ignore */ }
          var url = new URL(location.href);
          url.searchParams.set("lang", tr("live.lang.other_code"));
          location.href = url.toString();
        };
      }
    });
  }

  /* The text for key with {name} filled in; {"one", "other"} forms chosen by params.count. */
  function tr(key, params) {
    var text = texts[key];
    if (text === undefined) return key;
    params = params || {};
    if (typeof text === "object") text = params.count === 1 ? text.one : text.other;
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return params[name] === undefined ? all : String(params[name]);
    });
  }

  function setClock(serverNow, rate) {
    clock = { server: serverNow, local: Date.now() / 1000, rate: rate || 1 };
  }

  function now() {
    return clock.server + (Date.now() / 1000 - clock.local) * clock.rate;
  }

  function hhmm(t) {
    return new Date(t * 1000).toLocaleTimeString(lang === "de" ? "de-DE" : "en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  function dayTime(t) {
    var d = new Date(t * 1000);
    var today = new Date(now() * 1000);
    if (d.toDateString() === today.toDateString()) return hhmm(t);
    return d.toLocaleDateString(lang === "de" ? "de-DE" : "en-GB", { day: "numeric", month: "short" }) + " " + hhmm(t);
  }

  function age(t) {
    var s = Math.max(0, now() - t);
    if (s < 5) return tr("live.age.now");
    if (s < 60) return tr("live.age.s", { n: Math.round(s) });
    if (s < 3600) return tr("live.age.min", { n: Math.floor(s / 60) });
    if (s < 86400) return tr("live.age.h", { n: Math.floor(s / 3600) });
    return tr("live.age.d", { n: Math.floor(s / 86400) });
  }

  function number(value, decimals) {
    return value.toLocaleString(lang === "de" ? "de-DE" : "en-GB",
      { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }

  /* Server-Sent Events with a fresh snapshot after every (re)connect. EventSource retries by itself
     after a dropped stream; when it gives up (an HTTP error while the server restarts) we open a new
     one after a pause. */
  function stream(handlers, onState) {
    var source = null;
    var timer = null;
    function open() {
      onState("connecting");
      source = new EventSource("/api/events");
      Object.keys(handlers).forEach(function (type) {
        source.addEventListener(type, function (ev) { handlers[type](JSON.parse(ev.data)); });
      });
      source.addEventListener("open", function () { onState("open"); });
      source.addEventListener("error", function () {
        onState("lost");
        if (source.readyState === EventSource.CLOSED) {
          clearTimeout(timer);
          timer = setTimeout(open, 2000);
        }
      });
    }
    open();
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  return { chooseLanguage: chooseLanguage, loadTexts: loadTexts, t: tr, setClock: setClock, now: now, hhmm: hhmm,
           dayTime: dayTime, age: age, number: number, stream: stream, el: el,
           lang: function () { return lang; } };
})();
