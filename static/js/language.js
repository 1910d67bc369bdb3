/* The language switcher of the header: choosing a language submits its form (the button
   stays for keyboards and browsers without JavaScript). */
(function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
