// Spreadsheet keys and live totals for the quota and activity target grids.
// Progressive enhancement: without this file the grid is a plain form that works the same.
(function () {
  "use strict";
  var table = document.querySelector("table[data-grid]");
  if (!table) return;
  // after a refused save, start from the list of what to fix (its links lead to the cells)
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr, tfoot tr"));
  var rtl = document.documentElement.dir === "rtl";
  var decimal = table.getAttribute("data-decimal") || ".";

  function inputAt(rowIndex, col) {
    var tr = rows[rowIndex];
    var td = tr && tr.children[col];
    return td ? td.querySelector("input.cell-input") : null;
  }

  // Move from `input` by rows/columns, skipping cells without an input; false at the edge.
  function move(input, dRow, dCol) {
    var td = input.closest("td");
    var r = rows.indexOf(td.parentElement);
    var c = Array.prototype.indexOf.call(td.parentElement.children, td);
    for (;;) {
      r += dRow;
      c += dCol;
      if (r < 0 || r >= rows.length || c < 1 || c >= rows[r].children.length) return false;
      var target = inputAt(r, c);
      if (target) {
        target.focus();
        target.select();
        return true;
      }
    }
  }

  table.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("cell-input") || event.altKey || event.metaKey) return;
    if (event.ctrlKey) {
      if (event.key === "Enter" && input.form) {
        event.preventDefault();
        input.form.requestSubmit();
      }
      return;
    }
    var atStart = input.selectionStart === 0;
    var atEnd = input.selectionEnd === input.value.length;
    var whole = atStart && atEnd;
    var handled = false;
    var left = rtl ? 1 : -1;
    switch (event.key) {
      case "ArrowUp": handled = move(input, -1, 0); break;
      case "ArrowDown": handled = move(input, 1, 0); break;
      case "Enter": move(input, event.shiftKey ? -1 : 1, 0); handled = true; break; // Enter never sends half a grid
      case "ArrowLeft": if (atStart && (input.selectionEnd === 0 || whole)) handled = move(input, 0, left); break;
      case "ArrowRight": if (atEnd && (input.selectionStart === input.value.length || whole)) handled = move(input, 0, -left); break;
    }
    if (handled) event.preventDefault();
  });

  // Send only the cells that changed: a cell not sent stays as it is (a 200-rep year grid
  // would otherwise post 2 400 fields). Cells shown with a refused value are always sent.
  var form = table.closest("form");
  if (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.querySelectorAll("input.cell-input[data-saved]"), function (input) {
        if (input.value === input.getAttribute("data-saved") && !input.hasAttribute("aria-invalid")) input.disabled = true;
      });
    });
    // coming back to the page (history), the cells must be editable again
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(form.querySelectorAll("input.cell-input:disabled"), function (input) { input.disabled = false; });
    });
  }

  // --- live totals (the quota grid only) ---------------------------------------------------
  if (!table.querySelector("[data-row-total]")) return;

  // Persian and Arabic keyboards type their own digits and separators (as the server reads them)
  function latin(text) {
    return text
      .replace(/[\u06f0-\u06f9]/g, function (d) { return String(d.charCodeAt(0) - 0x06f0); })
      .replace(/[\u0660-\u0669]/g, function (d) { return String(d.charCodeAt(0) - 0x0660); })
      .replace(/\u066b/g, ".")
      .replace(/\u066c/g, "");
  }
  function parse(text) {
    text = latin(text.replace(/[\s\u00a0\u202f'’]/g, ""));
    if (!text) return null;
    if (decimal === "," && text.indexOf(",") >= 0) text = text.replace(/\./g, "").replace(",", ".");
    else if (decimal !== ",") text = text.replace(/,/g, "");
    if (!/^\+?\d+(\.\d+)?$/.test(text)) return null;
    return Number(text);
  }
  function value(td) {
    var input = td.querySelector("input.cell-input");
    if (input) return parse(input.value);
    var amount = td.getAttribute("data-amount");
    return amount === null ? null : Number(amount);
  }
  // as the server writes amounts: the page language's separators and digits
  var locale = document.documentElement.lang || "en";
  function money(n) {
    return n.toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  function add(a, b) { return b === null ? a : (a === null ? b : a + b); }
  function cellsOf(tr) { return Array.prototype.slice.call(tr.querySelectorAll("td.cell")); }

  var members = Array.prototype.slice.call(table.querySelectorAll("tr[data-member]"));
  var subTeams = Array.prototype.slice.call(table.querySelectorAll("tr[data-subteam]"));
  var teamRow = table.querySelector("tr[data-team-row]");

  function recompute() {
    var columns = [];
    var all = null;
    subTeams.forEach(function (tr) {
      var total = null;
      cellsOf(tr).forEach(function (td) { total = add(total, value(td)); });
      tr.querySelector("[data-row-total]").textContent = total === null ? "—" : money(total);
    });
    members.forEach(function (tr) {
      var total = null;
      cellsOf(tr).forEach(function (td, i) {
        var v = value(td);
        total = add(total, v);
        columns[i] = add(columns[i] === undefined ? null : columns[i], v);
      });
      tr.querySelector("[data-row-total]").textContent = total === null ? "—" : money(total);
      all = add(all, total);
    });
    var own = null;
    var ownCells = teamRow ? cellsOf(teamRow) : [];
    ownCells.forEach(function (td) { own = add(own, value(td)); });
    if (teamRow) teamRow.querySelector("[data-row-total]").textContent = own === null ? "—" : money(own);
    function show(key, mine, theirs) {
      var total = table.querySelector('[data-col-total="' + key + '"]');
      if (total) total.textContent = theirs === null || theirs === undefined ? "—" : money(theirs);
      var diff = table.querySelector('[data-col-diff="' + key + '"]');
      if (!diff) return;
      if (mine === null || theirs === null || theirs === undefined) {
        diff.textContent = "—";
        diff.classList.remove("differs");
        return;
      }
      var d = Math.round((mine - theirs) * 100) / 100;
      diff.textContent = (d > 0 ? "+" : d < 0 ? "−" : "") + money(Math.abs(d));
      diff.classList.toggle("differs", d !== 0);
    }
    var diffs = null;
    ownCells.forEach(function (td, i) {
      var mine = value(td);
      show(String(i), mine, columns[i]);
      if (mine !== null && columns[i] !== null && columns[i] !== undefined) diffs = add(diffs, mine - columns[i]);
    });
    // the total difference counts only the columns where the team has its own quota
    show("all", diffs === null ? null : diffs + (all || 0), all);
  }
  table.addEventListener("input", recompute);
})();
