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
// Offline: the service worker (keeps this person's pages for use with no signal), the reports
// waiting on this phone (count and state of each, sent again at each open), and clearing the
// device on the first page after logging out.
(function () {
  "use strict";
  var body = document.body;
  var root = document.documentElement;
  var sw = navigator.serviceWorker;
  var queue = window.CourtwatchQueue;
  var user = body.getAttribute("data-user");

  function clearDevice() {
    var steps = [];
    try {
      Object.keys(window.localStorage).forEach(function (key) {
        if (key.indexOf("courtwatch:") === 0) { window.localStorage.removeItem(key); }
      });
    } catch (e) { /* storage off */ }
    if (window.caches) {
      steps.push(window.caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf("courtwatch-user-") === 0 || name === "courtwatch-meta";
        }).map(function (name) { return window.caches.delete(name); }));
      }));
    }
    if (window.indexedDB) {
      steps.push(new Promise(function (resolve) {
        var req = window.indexedDB.deleteDatabase("courtwatch-offline");
        req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
      }));
    }
    if (sw && sw.controller) { sw.controller.postMessage({ type: "clear" }); }
    Promise.all(steps).then(function () { root.setAttribute("data-device-cleared", "1"); });
  }

  function render() {
    var panel = document.getElementById("report-queue");
    if (!panel || !queue) { return Promise.resolve(); }
    return queue.all().then(function (records) {
      var mine = records.filter(function (r) { return r.owner === user; });
      panel.hidden = mine.length === 0;
      var template = panel.getAttribute(mine.length === 1 ? "data-msg-one" : "data-msg-other") || "{n}";
      panel.querySelector("[data-queue-count]").textContent = template.replace("{n}", String(mine.length));
      var list = panel.querySelector("[data-queue-list]");
      list.textContent = "";
      mine.forEach(function (record) {
        var item = document.createElement("li");
        item.setAttribute("data-queue-key", record.key);
        item.setAttribute("data-queue-state", record.state);
        var title = document.createElement("span");
        title.textContent = record.summary || panel.getAttribute("data-label-untitled");
        var state = document.createElement("span");
        state.className = "badge" + (record.state === "refused" ? " danger" : " warn");
        state.textContent = panel.getAttribute("data-state-" + record.state) || record.state;
        item.appendChild(title);
        item.appendChild(document.createTextNode(" "));
        item.appendChild(state);
        if (record.state === "refused") {
          var open = document.createElement("button");
          open.type = "button";
          open.className = "link";
          open.setAttribute("data-queue-open", record.key);
          open.textContent = panel.getAttribute("data-label-open");
          item.appendChild(document.createTextNode(" "));
          item.appendChild(open);
        }
        list.appendChild(item);
      });
      root.setAttribute("data-queue-count", String(mine.length));
    }).catch(function () { /* IndexedDB off (private mode): nothing queued here */ });
  }

  function flush() {
    if (!queue || !user || navigator.onLine === false) { return; }
    queue.flush({ owner: user }).then(render, render);
  }

  if (body.getAttribute("data-clear-device") === "1") { clearDevice(); }

  if (sw && window.isSecureContext) {
    sw.register(body.getAttribute("data-sw") || "/sw.js", { scope: "/" }).catch(function () { /* not this browser */ });
    var key = body.getAttribute("data-offline-key");
    if (key) {
      sw.addEventListener("message", function (event) {
        if (event.data && event.data.type === "pages-kept") { root.setAttribute("data-offline-ready", "1"); }
      });
      sw.ready.then(function (registration) {
        var worker = sw.controller || registration.active;
        if (worker) { worker.postMessage({ type: "pages", key: key }); }
      });
    }
  }

  // A report the server did not accept goes back into the form (as the draft) to be fixed there.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-queue-open]");
    if (!button || !queue) { return; }
    var key = button.getAttribute("data-queue-open");
    queue.all().then(function (records) {
      var record = records.filter(function (r) { return r.key === key; })[0];
      if (!record) { return null; }
      var fields = {};
      record.fields.forEach(function (pair) {
        if (pair[0] === "csrf_token") { return; }
        (fields[pair[0]] = fields[pair[0]] || []).push(pair[1]);
      });
      var draft = { key: record.key, fields: fields, savedAt: new Date().toISOString() };
      window.localStorage.setItem("courtwatch:observation-draft:" + record.owner, JSON.stringify(draft));
      return queue.remove(key).then(function () { window.location.assign(record.action); });
    });
  });

  if (queue && user) {
    queue.onChange(render);
    render();
    flush();  // where Background Sync is missing, reports go out when a page opens
    window.addEventListener("online", flush);
  }
  window.CourtwatchOffline = { render: render, flush: flush };
})();
