/* Show the page's "Print" buttons (hidden without JavaScript) and make them print the page. */
(function () {
  "use strict";
  document.querySelectorAll(".print-button").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
