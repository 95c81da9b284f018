// Progressive enhancement only: every page works without this file.
(function () {
  // Ask before a destructive plain form: <form data-confirm="确定删除…?"> (no inline onsubmit: the CSP).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) { event.preventDefault(); }
  });
  // A print view opens the print dialog by itself: <body data-autoprint>
  document.addEventListener("DOMContentLoaded", function () {
    if (document.body && document.body.hasAttribute("data-autoprint") && window.print) { window.print(); }
  });
  // Select-all checkbox for bulk actions: <input type="checkbox" data-select-all="name">
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("input[data-select-all]")) {
      document.querySelectorAll('input[type=checkbox][name="' + box.dataset.selectAll + '"]').forEach(function (item) {
        if (!item.disabled) { item.checked = box.checked; }
      });
    }
  });
  // Flash messages fade out after a while so they do not pile up on long-lived pages.
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll(".flash[data-autohide]").forEach(function (el) {
      setTimeout(function () { el.remove(); }, 5000);
    });
  });
  // Close a drawer: <button data-close-drawer>
  document.addEventListener("click", function (event) {
    var btn = event.target.closest && event.target.closest("[data-close-drawer]");
    if (btn) { var d = btn.closest(".drawer"); if (d) { d.innerHTML = ""; } }
  });
})();
