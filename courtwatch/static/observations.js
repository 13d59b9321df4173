// Observation form: a draft kept on this phone as it is typed, sent with an idempotency key,
// cleared only once the server has confirmed the report. The form also works without this file
// (plain POST); this adds the draft, offline handling and showing only the fields that apply.
// A sent report goes through the queue on the phone (report-queue.js): stored with its photos
// (downscaled) and key first, then sent; with no signal it waits there, and the service worker
// or the next page sends it.
(function () {
  "use strict";
  var PREFIX = "courtwatch:observation-draft:";
  var SKIP = { csrf_token: true, photos: true, nothing_observed: true };

  function storageKey(owner) { return PREFIX + owner; }
  function loadDraft(owner) {
    try { return JSON.parse(window.localStorage.getItem(storageKey(owner)) || "null"); } catch (e) { return null; }
  }
  function saveDraft(owner, draft) {
    try { window.localStorage.setItem(storageKey(owner), JSON.stringify(draft)); } catch (e) { /* storage full or off */ }
  }
  function clearDraft(owner) {
    try { window.localStorage.removeItem(storageKey(owner)); } catch (e) { /* nothing to clear */ }
  }
  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function draftable(el) {
    return el.name && !SKIP[el.name] && el.type !== "file" && el.type !== "submit" && el.type !== "button";
  }

  function collect(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!draftable(el)) { return; }
      if (!fields[el.name]) { fields[el.name] = []; }
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { fields[el.name].push(el.value); }
      } else {
        fields[el.name].push(el.value);
      }
    });
    return fields;
  }

  function restore(form, fields) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!draftable(el) || !fields[el.name]) { return; }
      var values = fields[el.name];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (values.length) {
        el.value = values[0];
      }
    });
  }

  // Agent details only when agents were (maybe) there; arrest details only for arrests.
  function toggleDetails(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-show-when]"), function (box) {
      var name = box.getAttribute("data-show-when");
      var wanted = box.getAttribute("data-show-values").split(" ");
      var checked = form.querySelector('input[name="' + name + '"]:checked');
      box.classList.toggle("is-hidden", !(checked && wanted.indexOf(checked.value) !== -1));
    });
  }

  // "Restored" belongs at the top of the form; what happened to a send goes beside the button
  // that was tapped, where the volunteer is looking (not 1,400 px above it).
  function say(form, name, kind) {
    var box = document.getElementById(name === "restored" ? "draft-status" : "send-status");
    if (!box || !form) { return; }
    box.textContent = form.getAttribute("data-msg-" + name) || "";
    box.className = "notice obs-draft-status" + (kind ? " obs-" + kind : "");
    box.hidden = false;
  }

  function persist(form) {
    var owner = form.dataset.owner;
    var keyInput = form.elements.idempotency_key;
    var draft = loadDraft(owner) || {};
    // The key is born with the draft and travels with it until the server confirms the report.
    if (!keyInput.value) { keyInput.value = draft.key || newKey(); }
    draft.key = keyInput.value;
    draft.fields = collect(form);
    draft.savedAt = new Date().toISOString();
    saveDraft(owner, draft);
    var discard = document.getElementById("discard-draft");
    if (discard) { discard.hidden = false; }
  }

  // The date and time default to "now" where the chosen courthouse is, or on this phone until
  // one is chosen. A time the volunteer typed is never overwritten.
  function wallClock(zone) {
    var options = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
                    hourCycle: "h23" };
    if (zone) { options.timeZone = zone; }
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-US", options).formatToParts(new Date()).forEach(function (part) {
        parts[part.type] = part.value;
      });
    } catch (e) { return null; }  // an unknown zone: leave the fields as they are
    return { date: parts.year + "-" + parts.month + "-" + parts.day, time: parts.hour + ":" + parts.minute };
  }
  function fillNow(form, force) {
    var date = form.elements.observed_date, time = form.elements.observed_time;
    if (!date || !time || form.dataset.timeTouched === "1") { return; }
    if (!force && date.value && time.value) { return; }
    var select = form.elements.courthouse_id;
    var option = select && select.options[select.selectedIndex];
    var now = wallClock(option && option.getAttribute("data-timezone"));
    if (now) { date.value = now.date; time.value = now.time; }
  }

  function init() {
    var confirmed = document.getElementById("report-confirmed");
    if (confirmed) {
      var stored = loadDraft(confirmed.dataset.owner);
      if (stored && stored.key === confirmed.dataset.key) { clearDraft(confirmed.dataset.owner); }
    }
    var form = document.getElementById("observation-form");
    if (!form) { return; }
    toggleDetails(form);
    if (form.dataset.mode !== "new") { return; }
    if (form.dataset.submitted !== "1") { fillNow(form, false); }
    var owner = form.dataset.owner;
    var draft = loadDraft(owner);
    if (!draft) { return; }
    var discard = document.getElementById("discard-draft");
    if (discard) { discard.hidden = false; }
    if (form.dataset.submitted === "1") {
      persist(form);  // the server echoed what was sent (with messages): that is the draft now
      return;
    }
    restore(form, draft.fields || {});
    form.elements.idempotency_key.value = draft.key;
    toggleDetails(form);
    say(form, "restored");
  }

  function replaceMain(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("main");
    var main = document.querySelector("main");
    if (fresh && main) {
      main.innerHTML = fresh.innerHTML;
      window.scrollTo(0, 0);
      init();
    }
  }

  function handle(form, response) {
    var type = response.headers.get("Content-Type") || "";
    if (response.ok && type.indexOf("application/json") === 0) {
      return response.json().then(function (body) {
        clearDraft(form.dataset.owner);  // the server has it: only now is the draft let go
        window.location.assign(body.url);
      });
    }
    if (response.redirected) {  // e.g. to the login page; the draft stays on the phone
      window.location.assign(response.url);
      return null;
    }
    if (response.status === 422 || response.status === 409) {
      return response.text().then(replaceMain);
    }
    if (response.status === 400) {  // the CSRF token or the session expired: a fresh form restores the draft
      say(form, "expired", "error");
      window.location.assign(form.dataset.newUrl);
      return null;
    }
    say(form, response.status === 413 ? "too-large" : "error", "error");
    return null;
  }

  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.id === "observation-form") {
      toggleDetails(form);
      if (form.dataset.mode === "new" && draftable(event.target)) { persist(form); }
    }
  });
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.id === "observation-form" && form.dataset.mode === "new") {
      if (event.target.name === "observed_date" || event.target.name === "observed_time") {
        form.dataset.timeTouched = "1";
      } else if (event.target.name === "courthouse_id") {
        fillNow(form, true);
      }
    }
    if (form && form.id === "observation-form") {
      toggleDetails(form);
      if (form.dataset.mode === "new" && draftable(event.target)) { persist(form); }
    }
  });

  function summary(form) {
    var select = form.elements.courthouse_id;
    var option = select && select.options[select.selectedIndex];
    var parts = [option && option.value ? option.text : "", form.elements.observed_date && form.elements.observed_date.value,
                 form.elements.observed_time && form.elements.observed_time.value];
    return parts.filter(Boolean).join(" · ");
  }

  // Kept on the phone, waiting for signal: the form starts afresh (a new report gets a new key).
  function queued(form) {
    clearDraft(form.dataset.owner);
    form.reset();
    form.elements.idempotency_key.value = newKey();
    form.dataset.timeTouched = "";
    fillNow(form, true);
    toggleDetails(form);
    var discard = document.getElementById("discard-draft");
    if (discard) { discard.hidden = true; }
    say(form, "queued", "error");
    window.CourtwatchQueue.requestSync();
    if (window.CourtwatchOffline) { window.CourtwatchOffline.render(); }
  }

  // Without the queue (no IndexedDB): send straight away; the draft keeps the report meanwhile.
  function sendDirect(form, data, release) {
    if (navigator.onLine === false) {
      say(form, "offline", "error");
      release();
      return;
    }
    // form.action would be the "action" radio group here (named form controls shadow properties).
    window.fetch(form.getAttribute("action") || window.location.pathname, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json, text/html" }
    }).then(function (response) { return handle(form, response); })
      .catch(function () { say(form, "offline", "error"); })
      .then(release, release);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "observation-form" || form.dataset.mode !== "new" || event.defaultPrevented) { return; }
    if (!window.fetch || !window.FormData || !window.DOMParser) { return; }  // plain POST still works
    event.preventDefault();
    persist(form);
    var release = function () { form.dataset.submitting = ""; };
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
    var queue = window.CourtwatchQueue;
    if (!queue) { sendDirect(form, data, release); return; }
    var entries = [];
    data.forEach(function (value, name) { entries.push([name, value]); });
    var action = form.getAttribute("action") || window.location.pathname;
    var record = null;
    say(form, "sending");
    // The report is on the phone (IndexedDB, photos downscaled) before the first attempt to send it.
    queue.build(entries, { owner: form.dataset.owner, action: action, summary: summary(form) })
      .then(function (built) { record = built; return queue.put(built); })
      .then(function () {
        return navigator.onLine === false ? { outcome: "offline" } : queue.send(record, {});
      })
      .then(function (result) {
        if (result.outcome === "sent") {
          clearDraft(form.dataset.owner);
          window.location.assign(result.body.url);
        } else if (result.outcome === "offline" || result.outcome === "retry") {
          queued(form);
        } else if (result.outcome === "sign-in") {
          clearDraft(form.dataset.owner);  // the queue holds it; it goes once the volunteer is back
          window.location.assign(result.response.url);
        } else {
          // The server answered and said why: the form shows it; the draft holds the report.
          return queue.remove(record.key).then(function () { return handle(form, result.response); });
        }
        return null;
      }, function () {
        if (record === null) { sendDirect(form, data, release); }  // IndexedDB refused: as before
      })
      .then(release, release);
  });

  document.addEventListener("click", function (event) {
    var discard = event.target.closest("#discard-draft, #discard-draft-conflict");
    if (!discard) { return; }
    var form = document.getElementById("observation-form");
    var owner = discard.dataset.owner || (form && form.dataset.owner);
    clearDraft(owner);
    window.location.assign(discard.dataset.storedUrl || (form && form.dataset.newUrl) || "/observations/new");
  });

  window.addEventListener("online", function () {
    var form = document.getElementById("observation-form");
    if (form && form.dataset.mode === "new" && loadDraft(form.dataset.owner)) { say(form, "online"); }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
