// Reports kept on this phone until the server has them. Shared by the pages and the service
// worker (importScripts), so one sender, one set of states. A report is written to IndexedDB
// with its idempotency key *before* any attempt to send it: closing the page mid-send loses
// nothing, and a resend with the same key is answered "already arrived" by the server.
// States: waiting (no signal yet), sending, refused (the server said no: open it to fix),
// sign-in (the session ended), other-account (queued by someone else on this phone).
(function (scope) {
  "use strict";
  var DB_NAME = "courtwatch-offline";
  var STORE = "reports";
  var LONG_EDGE = 2048;
  var QUALITY = 0.8;
  var SYNC_TAG = "courtwatch-reports";
  var CSRF = /name="csrf_token"[^>]*value="([^"]+)"/;

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function open() {
    var req = scope.indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "key" }); };
    return request(req);
  }

  function withStore(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() {
    return open().then(function (db) {
      var req = db.transaction(STORE, "readonly").objectStore(STORE).getAll();
      return request(req).then(function (rows) { db.close(); return rows; });
    });
  }

  function put(record) {
    return withStore("readwrite", function (store) { store.put(record); }).then(function () { changed(); return record; });
  }

  function remove(key) {
    return withStore("readwrite", function (store) { store.delete(key); }).then(changed);
  }

  function clear() {
    return new Promise(function (resolve) {
      var req = scope.indexedDB.deleteDatabase(DB_NAME);
      req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
    }).then(changed);
  }

  var channel = scope.BroadcastChannel ? new scope.BroadcastChannel("courtwatch-queue") : null;
  var listeners = [];
  function changed() {
    listeners.forEach(function (fn) { fn(); });
    if (channel) { channel.postMessage("changed"); }
  }
  function onChange(fn) {
    listeners.push(fn);
    if (channel) { channel.onmessage = function () { listeners.forEach(function (f) { f(); }); }; }
  }

  // A photo as the phone should send it: long edge at most 2048 px, JPEG at about 0.8, which also
  // drops the camera's metadata (the server strips it again). A file the browser cannot decode
  // is kept as it is, and the server decides.
  function downscale(file) {
    if (!scope.createImageBitmap || !file || !/^image\//.test(file.type || "")) { return Promise.resolve(file); }
    return scope.createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var ratio = Math.min(1, LONG_EDGE / Math.max(bitmap.width, bitmap.height));
      var width = Math.max(1, Math.round(bitmap.width * ratio));
      var height = Math.max(1, Math.round(bitmap.height * ratio));
      if (scope.OffscreenCanvas) {
        var off = new scope.OffscreenCanvas(width, height);
        off.getContext("2d").drawImage(bitmap, 0, 0, width, height);
        return off.convertToBlob({ type: "image/jpeg", quality: QUALITY });
      }
      var canvas = scope.document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", QUALITY); });
    }).then(function (blob) { return blob || file; }, function () { return file; });
  }

  function jpegName(name, index) {
    var stem = String(name || "photo-" + (index + 1)).replace(/\.[^.]*$/, "");
    return stem + ".jpg";
  }

  // The record for a form's entries: text fields as [name, value] pairs, photos as blobs.
  function build(entries, options) {
    var fields = [], files = [], key = "";
    entries.forEach(function (pair) {
      var value = pair[1];
      if (value && typeof value === "object" && "size" in value) {
        if (pair[0] === "photos" && value.size > 0) { files.push(value); }
        return;
      }
      if (pair[0] === "idempotency_key") { key = value; }
      fields.push([pair[0], String(value)]);
    });
    return Promise.all(files.map(downscale)).then(function (blobs) {
      return {
        key: key,
        owner: String(options.owner || ""),
        action: options.action,
        createdAt: new Date().toISOString(),
        state: "waiting",
        attempts: 0,
        summary: options.summary || "",
        fields: fields,
        photos: blobs.map(function (blob, i) {
          var name = blob === files[i] ? files[i].name : jpegName(files[i].name, i);
          return { name: name, type: blob.type, blob: blob };
        })
      };
    });
  }

  function formData(record) {
    var data = new FormData();
    record.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
    record.photos.forEach(function (photo) { data.append("photos", photo.blob, photo.name); });
    return data;
  }

  function post(record, background) {
    return scope.fetch(record.action, {
      method: "POST", body: formData(record), credentials: "same-origin",
      headers: {
        "X-Requested-With": "fetch", "Accept": "application/json, text/html",
        "X-Courtwatch-Reporter": record.owner, "X-Courtwatch-Background": background ? "1" : ""
      }
    });
  }

  // A fresh form token (the session may have been renewed since the report was queued).
  function refreshToken(record) {
    return scope.fetch(record.action, { credentials: "same-origin" }).then(function (response) {
      return response.text();
    }).then(function (html) {
      var match = CSRF.exec(html);
      if (!match) { return false; }
      record.fields = record.fields.map(function (pair) { return pair[0] === "csrf_token" ? [pair[0], match[1]] : pair; });
      return true;
    });
  }

  function isJson(response) { return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0; }

  // One attempt. Resolves {outcome, response?, body?}; outcomes: sent, offline, refused, sign-in,
  // other-account, retry. "sent" removes the record; every other outcome keeps it with its state.
  function send(record, options) {
    options = options || {};
    record.state = "sending";
    record.attempts = (record.attempts || 0) + 1;
    var retried = false;
    function attempt() {
      return post(record, options.background).then(function (response) {
        if (response.redirected && /\/login/.test(new URL(response.url).pathname)) {
          return { outcome: "sign-in", response: response };
        }
        if (response.ok && isJson(response)) {
          return response.json().then(function (body) { return { outcome: "sent", body: body, response: response }; });
        }
        if (response.status === 409 && isJson(response)) { return { outcome: "other-account", response: response }; }
        if (response.status === 400 && !retried) {
          retried = true;
          return refreshToken(record).then(function (ok) { return ok ? attempt() : { outcome: "sign-in", response: response }; });
        }
        if (response.status >= 500) { return { outcome: "retry", response: response }; }
        return { outcome: "refused", response: response };
      }, function () { return { outcome: "offline" }; });
    }
    return put(record).then(attempt).then(function (result) {
      if (result.outcome === "sent") { return remove(record.key).then(function () { return result; }); }
      record.state = { offline: "waiting", retry: "waiting" }[result.outcome] || result.outcome;
      return put(record).then(function () { return result; });
    });
  }

  function locked(work) {
    var locks = scope.navigator && scope.navigator.locks;
    return locks ? locks.request("courtwatch-send-reports", work) : work();
  }

  // Send every report of ``owner`` (or of anyone, from the worker) that may go now.
  function flush(options) {
    options = options || {};
    return locked(function () {
      return all().then(function (records) {
        var pending = records.filter(function (r) {
          return (r.state === "waiting" || r.state === "sending" || r.state === "sign-in" || r.state === "other-account") &&
            (!options.owner || r.owner === String(options.owner));
        });
        var results = [];
        return pending.reduce(function (chain, record) {
          return chain.then(function () {
            return send(record, { background: true }).then(function (r) { results.push(r.outcome); });
          });
        }, Promise.resolve()).then(function () { return results; });
      });
    });
  }

  function requestSync() {
    var sw = scope.navigator && scope.navigator.serviceWorker;
    if (!sw) { return Promise.resolve(false); }
    return sw.ready.then(function (registration) {
      if (!registration.sync) { return false; }
      return registration.sync.register(SYNC_TAG).then(function () { return true; });
    }).catch(function () { return false; });
  }

  scope.CourtwatchQueue = {
    SYNC_TAG: SYNC_TAG, all: all, put: put, remove: remove, clear: clear, build: build, send: send,
    flush: flush, downscale: downscale, requestSync: requestSync, onChange: onChange
  };
})(self);
