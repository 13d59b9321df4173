// Courtwatch: small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Ask before destructive one-tap actions (data-confirm on the submit button).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // A second tap on a submit button while the first request is under way does nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    window.setTimeout(function () { form.dataset.submitting = ""; }, 4000);
  });
})();
