// Web Push on this device: subscribe through the service worker (sw.js shows what arrives) and
// hand the subscription to the server; or unsubscribe and tell the server to forget it.
// Nothing is loaded from another host; the key comes from the page.
(function () {
  "use strict";
  var box = document.getElementById("push-device");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window)) { return; }
  var status = box.querySelector(".push-status");

  function say(name) { status.textContent = box.getAttribute("data-msg-" + name) || ""; }

  function keyBytes(base64url) {
    var text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "==".slice(0, (4 - base64url.length % 4) % 4));
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) { bytes[i] = text.charCodeAt(i); }
    return bytes;
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": box.getAttribute("data-csrf"), "X-Requested-With": "fetch"},
      body: JSON.stringify(data)
    }).then(function (answer) { if (!answer.ok) { throw new Error("status " + answer.status); } });
  }

  function show(subscription) {
    box.hidden = false;
    box.querySelector('[data-push="on"]').hidden = !!subscription;
    box.querySelector('[data-push="off"]').hidden = !subscription;
    say(subscription ? "on" : (Notification.permission === "denied" ? "denied" : "off"));
  }

  navigator.serviceWorker.ready.then(function (registration) {
    registration.pushManager.getSubscription().then(show);
    box.querySelector('[data-push="on"]').addEventListener("click", function () {
      registration.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: keyBytes(box.getAttribute("data-key"))})
        .then(function (subscription) {
          return post(box.getAttribute("data-subscribe"), subscription.toJSON()).then(function () { show(subscription); });
        })
        .catch(function () { say(Notification.permission === "denied" ? "denied" : "failed"); });
    });
    box.querySelector('[data-push="off"]').addEventListener("click", function () {
      registration.pushManager.getSubscription().then(function (subscription) {
        if (!subscription) { show(null); return; }
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () {
          return post(box.getAttribute("data-unsubscribe"), {endpoint: endpoint});
        }).then(function () { show(null); });
      }).catch(function () { say("failed"); });
    });
  });
})();
