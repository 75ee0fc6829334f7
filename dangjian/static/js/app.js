// Charts: each <div class="dj-chart" data-chart="ID"> draws the ECharts option in the JSON
// script element #ID (json_script, so no inline script is needed under the CSP).
function djDrawCharts(root) {
  if (typeof echarts === "undefined") return;
  (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
    var src = document.getElementById(el.dataset.chart);
    if (!src || el.dataset.drawn) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(JSON.parse(src.textContent));
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
}
document.addEventListener("DOMContentLoaded", function () { djDrawCharts(document); });
document.addEventListener("htmx:afterSwap", function (e) { djDrawCharts(e.target); });
// Confirm buttons: <button data-confirm="…">
document.addEventListener("click", function (e) {
  var el = e.target.closest("[data-confirm]");
  if (el && !window.confirm(el.dataset.confirm)) { e.preventDefault(); e.stopPropagation(); }
}, true);
// Forms with data-autosave keep what was typed (localStorage) until the submit succeeds, so a
// dropped connection never loses input. The store is per user (a shared computer's next user sees
// nothing of the last), never holds an ID number or a phone, and is emptied at logout and on any
// page seen signed out (a session that simply expired).
var djAutosave = (function () {
  var PREFIX = "dj-autosave:";
  var PERSONAL = /id_?number|idcard|phone|(^|_)tel($|_)|contact|身份证|证件|电话|手机/i;
  function user() { return document.body ? document.body.dataset.user || "" : ""; }
  function key(name) { return PREFIX + user() + ":" + name; }
  function kept(f) {
    return f.name && f.type && ["hidden", "password", "file", "checkbox"].indexOf(f.type) === -1 &&
      f.dataset.pii === undefined && f.autocomplete !== "tel" && !PERSONAL.test(f.name);
  }
  function clearAll() {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var k = localStorage.key(i);
        if (k && k.indexOf(PREFIX) === 0) localStorage.removeItem(k);
      }
    } catch (err) { /* storage unavailable */ }
  }
  function wire(form) {
    if (form.dataset.djWired) return;
    form.dataset.djWired = "1";
    var k = key(form.dataset.autosave);
    try {
      var saved = JSON.parse(localStorage.getItem(k) || "{}");
      Object.keys(saved).forEach(function (name) {
        var field = form.elements[name];
        if (field && field.name && kept(field) && !field.value) field.value = saved[name];
      });
    } catch (err) { /* ignore broken storage */ }
    form.addEventListener("input", function () {
      var data = {};
      Array.prototype.forEach.call(form.elements, function (f) { if (kept(f)) data[f.name] = f.value; });
      try { localStorage.setItem(k, JSON.stringify(data)); } catch (err) { /* full or unavailable */ }
    });
    if (form.dataset.autosaveClear !== undefined) localStorage.removeItem(k);
  }
  return { key: key, wire: wire, clearAll: clearAll, user: user };
})();
document.addEventListener("DOMContentLoaded", function () {
  if (!djAutosave.user()) djAutosave.clearAll();
  document.querySelectorAll("form[data-autosave]").forEach(djAutosave.wire);
  document.querySelectorAll("[data-autosave-done]").forEach(function (el) {
    localStorage.removeItem(djAutosave.key(el.dataset.autosaveDone));
  });
});
document.addEventListener("submit", function (e) {
  if (e.target.matches && e.target.matches("form[data-logout]")) djAutosave.clearAll();
}, true);
// <select data-autosubmit> submits its form on change.
document.addEventListener("change", function (e) {
  if (e.target.matches("select[data-autosubmit]")) e.target.form.submit();
});
