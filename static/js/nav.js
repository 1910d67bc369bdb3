/* The header's menus. On a phone the menu folds behind the "Menu" button (a disclosure:
   aria-expanded, aria-controls); without JavaScript the button stays hidden and every link
   shows. The "More" and user menus (<details>) close on Escape, on a click elsewhere and
   when another one opens. Loaded right after the menu, so a phone never shows it unfolded. */
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var toggle = header && header.querySelector(".menu-toggle");
  var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!menu) return;
  var disclosures = header.querySelectorAll("details.nav-disclosure");

  function setOpen(open) { toggle.setAttribute("aria-expanded", open ? "true" : "false"); }
  setOpen(false);
  toggle.hidden = false;
  header.classList.add("menu-ready");
  toggle.addEventListener("click", function () { setOpen(toggle.getAttribute("aria-expanded") !== "true"); });

  function closeAll(except) {
    disclosures.forEach(function (details) { if (details !== except) details.open = false; });
  }
  disclosures.forEach(function (details) {
    details.addEventListener("toggle", function () { if (details.open) closeAll(details); });
  });
  document.addEventListener("click", function (event) {
    disclosures.forEach(function (details) { if (details.open && !details.contains(event.target)) details.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = Array.prototype.find.call(disclosures, function (details) { return details.open; });
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    } else if (toggle.getAttribute("aria-expanded") === "true" && menu.contains(document.activeElement) && toggle.offsetParent !== null) {
      setOpen(false);
      toggle.focus();
    }
  });
})();
