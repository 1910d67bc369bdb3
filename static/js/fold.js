// On a phone, pickers and filter forms start folded into their one-line summary
// (<details data-fold-on-phone open>); without JavaScript they stay open.
(function () {
  "use strict";
  if (!window.matchMedia || !window.matchMedia("(max-width: 600px)").matches) return;
  document.querySelectorAll("details[data-fold-on-phone][open]").forEach(function (details) {
    if (!details.querySelector(".error, [aria-invalid='true']")) details.removeAttribute("open");
  });
})();
