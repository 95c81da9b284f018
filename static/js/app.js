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
  // Phones: list tables turn into cards; each cell is labelled with its column's header.
  function labelCells(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("table.grid").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      if (!heads.length) { return; }
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var col = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && heads[col]) { cell.setAttribute("data-label", heads[col]); }
          col += cell.colSpan || 1;
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { labelCells(document); });
  document.addEventListener("htmx:afterSettle", function () { labelCells(document); });
  // Top menu: opening one group closes the others; a click elsewhere or Escape closes them all.
  document.addEventListener("toggle", function (event) {
    var d = event.target;
    if (d.matches && d.matches("details.navgroup") && d.open) {
      document.querySelectorAll("details.navgroup[open]").forEach(function (o) { if (o !== d) { o.open = false; } });
    }
  }, true);
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest("details.navgroup")) {
      document.querySelectorAll("details.navgroup[open]").forEach(function (o) { o.open = false; });
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      document.querySelectorAll("details.navgroup[open]").forEach(function (o) { o.open = false; o.querySelector("summary").focus(); });
    }
  });
  // After an inline decision the row is replaced: keep the keyboard on the next row still to decide.
  var decidedRow = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var row = event.target.closest && event.target.closest("tr.approval-row");
    decidedRow = row ? row.id : null;
  });
  // htmx:load is fired on the new row itself (the old one, and the form, are gone from the page).
  document.addEventListener("htmx:load", function (event) {
    if (!decidedRow || !event.target || event.target.id !== decidedRow) { return; }
    var row = event.target;
    decidedRow = null;
    // the first row after this one still to decide, else the first such row above it
    var rows = Array.prototype.slice.call(row.parentNode.children);
    var after = rows.slice(rows.indexOf(row) + 1).concat(rows.slice(0, rows.indexOf(row)));
    var next = after.filter(function (r) { return r.querySelector("textarea"); })[0];
    var target = next ? next.querySelector("textarea") : row.querySelector("a");
    if (target) { target.focus(); }
  });
  // Pickers: a select whose options carry pinyin keys (data-keys="shhd shanghaihongda") gets a search
  // box before it; typing Chinese, pinyin initials or full pinyin narrows the options.
  function pinyinKey(text) { return text.toLowerCase().replace(/[^0-9a-z]+/g, ""); }
  function addPickers(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("select").forEach(function (select) {
      if (select.dataset.pickerReady || !select.querySelector("option[data-keys]")) { return; }
      select.dataset.pickerReady = "1";
      var box = document.createElement("input");
      box.type = "search";
      box.className = "picker-search";
      box.placeholder = document.body.getAttribute("data-picker-label") || "";
      box.setAttribute("aria-label", box.placeholder);
      box.setAttribute("aria-controls", select.id);
      box.addEventListener("input", function () {
        var q = box.value.trim().toLowerCase();
        var key = pinyinKey(q);
        var first = null;
        Array.prototype.forEach.call(select.options, function (opt) {
          var keys = opt.getAttribute("data-keys");
          var hit = !q || keys === null || opt.text.toLowerCase().indexOf(q) >= 0 ||
            (key && /[a-z]/.test(key) && keys.replace(/ /g, "|").split("|").some(function (k) { return k.indexOf(key) >= 0; }));
          opt.hidden = !hit;
          if (hit && keys !== null && first === null) { first = opt; }
        });
        var current = select.options[select.selectedIndex];
        if (q && first && (!current || current.hidden || current.getAttribute("data-keys") === null)) {
          first.selected = true;
          select.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
      select.parentNode.insertBefore(box, select);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { addPickers(document); });
  document.addEventListener("htmx:afterSettle", function () { addPickers(document); });
})();
