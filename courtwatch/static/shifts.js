// Shifts: claim / release / waitlist / ask without a full page reload. Without this file the
// same forms post normally and the server redirects back; with it, the form is sent with fetch
// and the card the server re-renders replaces the old one, with the message read out. With no
// signal the card says so in place and the list stays as it is (a plain post would land on the
// browser's "no internet" page and lose it).
(function () {
  "use strict";

  function announce(card, message, isError) {
    if (!card || !message) { return; }
    var note = document.createElement("p");
    note.className = "flash" + (isError ? " flash-error" : "");
    note.setAttribute("role", isError ? "alert" : "status");
    note.textContent = message;
    var actions = card.querySelector(".shift-actions");
    card.insertBefore(note, actions);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-shift-action]") || !window.fetch) { return; }
    event.preventDefault();
    if (form.dataset.busy === "1") { return; }  // a second tap while the first is on its way
    form.dataset.busy = "1";
    var card = form.closest("[data-shift-card]");
    var button = form.querySelector("button");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) { return response; }, function () {
      // fetch itself failed: no network. Say so on the card; the same tap works once signal is back.
      form.dataset.busy = "";
      if (button) { button.disabled = false; }
      var old = card && card.querySelector(".flash[data-no-signal]");
      if (old) { old.remove(); }
      announce(card, document.body.getAttribute("data-msg-no-signal") || "No signal, try again.", true);
      var note = card && card.querySelector(".flash-error:not([data-no-signal])");
      if (note) { note.setAttribute("data-no-signal", "1"); }
      return null;
    }).then(function (response) {
      if (response === null) { return null; }
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new Error("not json"); }
      return response.json();
    }).then(function (data) {
      if (data === null) { return; }
      var holder = document.createElement("div");
      holder.innerHTML = data.html;
      var fresh = holder.firstElementChild;
      if (card && fresh) {
        card.replaceWith(fresh);
        card = fresh;
      }
      announce(card, data.message, !data.ok);
    }).catch(function () {
      // An unexpected answer (not the card as JSON): fall back to a normal form post.
      form.dataset.busy = "";
      form.removeAttribute("data-shift-action");
      form.submit();
    });
  });
})();
