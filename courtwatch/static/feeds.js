// Calendar links: a copy button for the subscription URL (the page works without it: the field
// is read-only text that can be selected and copied by hand).
(function () {
  "use strict";
  var button = document.getElementById("feed-copy");
  if (!button) { return; }
  var field = document.getElementById(button.getAttribute("data-copy-target"));
  if (!field) { return; }
  button.hidden = false;
  field.addEventListener("focus", function () { field.select(); });
  function done() {
    var label = button.textContent;
    button.textContent = button.getAttribute("data-copied-text");
    window.setTimeout(function () { button.textContent = label; }, 2000);
  }
  button.addEventListener("click", function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        field.select(); document.execCommand("copy"); done();
      });
    } else {
      field.select();
      document.execCommand("copy");
      done();
    }
  });
})();
