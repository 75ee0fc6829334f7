// Requests that fail (no network, server down, an error answer) leave the form exactly as typed
// and say so next to it; tapping the button again retries. Forms also carry data-autosave
// (static/js/app.js), so a reload after a dropped connection still has the input.
(function () {
  function box(elt) {
    var holder = elt.closest("form, [data-net-box]") || elt.parentElement;
    var msg = holder.querySelector(".dj-net-error");
    if (!msg) {
      msg = document.createElement("div");
      msg.className = "dj-net-error text-danger mt-1";
      msg.setAttribute("role", "alert");
      holder.appendChild(msg);
    }
    return msg;
  }
  document.addEventListener("htmx:sendError", function (e) {
    var msg = box(e.detail.elt);
    msg.textContent = "网络连接失败，已保留您填写的内容，请稍后再点一次提交。";
    msg.classList.remove("d-none");
  });
  document.addEventListener("htmx:responseError", function (e) {
    var msg = box(e.detail.elt);
    var xhr = e.detail.xhr || {};
    var text = xhr.responseText || "";
    // A 4xx from us says in plain Chinese what was wrong; anything else is the server or the network.
    var ours = xhr.status >= 400 && xhr.status < 500 && text.length < 200 && text.indexOf("<") === -1;
    msg.textContent = ours ? text : "提交失败（服务器暂时无法处理），已保留您填写的内容，请稍后重试。";
    msg.classList.remove("d-none");
  });
  document.addEventListener("htmx:beforeRequest", function (e) {
    var holder = e.detail.elt.closest("form, [data-net-box]");
    var msg = holder && holder.querySelector(".dj-net-error");
    if (msg) msg.classList.add("d-none");
  });
  // Autosave for forms that htmx swaps in later (app.js wires the ones present at page load and
  // owns the rules: per user, never an ID number or phone).
  function wire(form) { if (window.djAutosave) window.djAutosave.wire(form); }
  document.addEventListener("htmx:load", function (e) {
    var root = e.detail.elt;
    if (root.matches && root.matches("form[data-autosave]")) wire(root);
    if (root.querySelectorAll) root.querySelectorAll("form[data-autosave]").forEach(wire);
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt.closest && e.detail.elt.closest("form[data-autosave]");
    if (form && e.detail.successful && e.detail.xhr && e.detail.xhr.status < 300) {
      // Saved: a form that came back with errors is redrawn with the posted values anyway.
      var swappedBack = e.detail.xhr.responseText.indexOf("invalid-feedback") === -1 && e.detail.xhr.responseText.indexOf("text-danger small") === -1;
      if (swappedBack && window.djAutosave) localStorage.removeItem(window.djAutosave.key(form.dataset.autosave));
    }
  });
})();
