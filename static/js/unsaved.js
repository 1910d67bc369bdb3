/* salesperf: warn before leaving a page with text typed but not saved (progressive enhancement).
   Applies to every <form data-warn-unsaved>; a form rendered again after an error carries
   data-unsaved="1" (what it shows was typed, not saved). Submitting the form itself never warns. */
(function () {
  "use strict";
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-warn-unsaved]"));
  if (!forms.length) { return; }
  var submitting = false;

  function fieldChanged(field) {
    if (field.type === "hidden" || field.type === "submit" || field.type === "button") { return false; }
    if (field.type === "checkbox" || field.type === "radio") { return field.checked !== field.defaultChecked; }
    if (field.tagName === "SELECT") {
      var options = Array.prototype.slice.call(field.options);
      var marked = options.some(function (option) { return option.defaultSelected; });
      // no option marked selected in the page: the browser shows the first one, which is then no change
      if (!marked && !field.multiple) { return field.selectedIndex > 0; }
      return options.some(function (option) { return option.selected !== option.defaultSelected; });
    }
    return field.value !== field.defaultValue;
  }

  function unsaved() {
    return forms.some(function (form) {
      if (form.getAttribute("data-unsaved") === "1") { return true; }
      return Array.prototype.some.call(form.elements, fieldChanged);
    });
  }

  forms.forEach(function (form) {
    form.addEventListener("submit", function () { submitting = true; });
  });
  window.addEventListener("pageshow", function () { submitting = false; });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || !unsaved()) { return; }
    event.preventDefault();
    event.returnValue = "";  // the browser shows its own "leave the page?" question
  });
})();
