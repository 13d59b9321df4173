/* Calendar upload with a progress bar. Progressive enhancement: without this script (or without
   XHR upload events) the form posts as usual. The server answers the script's post with JSON
   naming the next page (columns or preview), or with the form page and its messages (422). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload-progress]");
  if (!form || !window.FormData || !window.XMLHttpRequest || !("upload" in new XMLHttpRequest())) {
    return;
  }
  var status = form.querySelector(".upload-status");
  var bar = status.querySelector("progress");
  var label = status.querySelector("p");
  var button = form.querySelector("button[type=submit]");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Upload-Progress", "1");
    status.hidden = false;
    button.disabled = true;
    request.upload.onprogress = function (progress) {
      if (!progress.lengthComputable) { return; }
      bar.max = progress.total;
      bar.value = progress.loaded;
      var percent = Math.floor((100 * progress.loaded) / progress.total) + "%";
      label.textContent = label.dataset.sending.replace("{percent}", percent);
    };
    request.upload.onload = function () {
      bar.removeAttribute("value");  // indeterminate while the server reads the file
      label.textContent = label.dataset.reading;
    };
    request.onload = function () {
      var type = request.getResponseHeader("Content-Type") || "";
      if (request.status === 200 && type.indexOf("application/json") === 0) {
        window.location.assign(JSON.parse(request.responseText).location);
        return;
      }
      // The form page again, with its messages: show it as the plain post would have.
      var page = new DOMParser().parseFromString(request.responseText, "text/html");
      var main = page.querySelector("main");
      if (main) {
        document.querySelector("main").replaceWith(document.adoptNode(main));
        var again = document.querySelector("form[data-upload-progress]");
        if (again) { again.removeAttribute("data-upload-progress"); }
      } else {
        form.submit();
      }
    };
    request.onerror = function () {
      label.textContent = label.dataset.failed;
      button.disabled = false;
    };
    request.send(new FormData(form));
  });
})();
