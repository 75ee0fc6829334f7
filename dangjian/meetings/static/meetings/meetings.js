// 组织生活: print buttons, "copy the subscription address", and choosing a mark fills the row.
document.addEventListener("click", function (e) {
  var print = e.target.closest("[data-print]");
  if (print) { e.preventDefault(); window.print(); }
  var copy = e.target.closest("[data-copy]");
  if (copy) {
    var field = document.getElementById(copy.dataset.copy);
    if (field) {
      field.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(field.value); }
      copy.textContent = "已复制";
    }
  }
});
// Marking a row highlights it no longer as unmarked.
document.addEventListener("change", function (e) {
  if (e.target.matches(".dj-att select")) {
    var row = e.target.closest("tr");
    if (row) row.classList.toggle("unmarked", !e.target.value);
  }
});
