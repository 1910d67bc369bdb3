// A table wider than its box scrolls inside it (.table-wrap). Keyboard users must reach that
// scroll too (WCAG 2.1.1), so a box that does scroll becomes a focusable region named by its
// table's caption; boxes that fit stay out of the tab order. Templates that mark their boxes
// themselves (tabindex set) are left as they are.
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll(".table-wrap:not([tabindex])").forEach(function (wrap) {
      if (wrap.scrollWidth <= wrap.clientWidth + 1) return;
      wrap.setAttribute("tabindex", "0");
      var table = wrap.querySelector("table");
      var caption = table && table.querySelector("caption");
      if (caption && !wrap.hasAttribute("role")) {
        if (!caption.id) caption.id = (table.id || "table-" + Math.random().toString(36).slice(2)) + "-caption";
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-labelledby", caption.id);
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
})();
