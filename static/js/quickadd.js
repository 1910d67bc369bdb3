// Quick-add: Enter saves from any field, select boxes included (browsers only do it for text inputs).
(function () {
  "use strict";
  var form = document.getElementById("quickadd-form");
  if (!form) return;
  // After a failed save, the first field in error gets the focus (and is read out with its error).
  var invalid = form.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) return;
    if (event.target.tagName === "SELECT") {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
