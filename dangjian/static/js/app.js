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
// dropped connection never loses input.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var key = "dj-autosave:" + form.dataset.autosave;
    try {
      var saved = JSON.parse(localStorage.getItem(key) || "{}");
      Object.keys(saved).forEach(function (name) {
        var field = form.elements[name];
        if (field && field.type !== "hidden" && field.type !== "file" && !field.value) field.value = saved[name];
      });
    } catch (err) { /* ignore broken storage */ }
    form.addEventListener("input", function () {
      var data = {};
      Array.prototype.forEach.call(form.elements, function (f) {
        if (f.name && f.type !== "hidden" && f.type !== "password" && f.type !== "file") data[f.name] = f.value;
      });
      localStorage.setItem(key, JSON.stringify(data));
    });
    if (form.dataset.autosaveClear !== undefined) localStorage.removeItem(key);
  });
  document.querySelectorAll("[data-autosave-done]").forEach(function (el) {
    localStorage.removeItem("dj-autosave:" + el.dataset.autosaveDone);
  });
});
// <select data-autosubmit> submits its form on change.
document.addEventListener("change", function (e) {
  if (e.target.matches("select[data-autosubmit]")) e.target.form.submit();
});
