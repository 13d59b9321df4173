// Courtwatch's service worker (served at /sw.js by courtwatch/home/offline.py, which puts
// ``self.COURTWATCH`` — the shell's hashed asset names and the pages list URL — in front of this).
//
// * Pages: network first; a page the server stamps "X-Courtwatch-Offline: keep" is stored in a
//   cache named after this session's opaque key, and shown from there with no signal, with the
//   time it was stored. "never" (an accompanied person's details) removes any copy. Nothing else
//   is stored: not logged-out pages, not photos, not other people's pages.
// * Assets: cache first (their names change with their content).
// * Form posts with no signal: a claim, release or waitlist tap gets the kept list back with
//   "No signal, try again" in the card (this works with the page's script off); any other post
//   gets the "no signal" page kept on the phone.
// * Queued reports go out on Background Sync (or when a page opens, see courtwatch.js).
// * Push: {"title", "body", "url", "tag"} becomes a notification; a tap opens or focuses url.
/* global importScripts, CourtwatchQueue */
"use strict";
var CONFIG = self.COURTWATCH;
if (CONFIG.queueScript) { importScripts(CONFIG.queueScript); }

var STATIC = "courtwatch-static-" + CONFIG.version;
var USER_PREFIX = "courtwatch-user-";
var META = "courtwatch-meta";
var KEY_ENTRY = "/__courtwatch/offline-key";
var SHIFT_POST = /^\/shifts\/(\d+)\/(claim|release|ask-release|check-in|check-out)$/;
var REFRESH_EVERY_MS = 5 * 60 * 1000;
var currentKey = null;
var lastRefresh = 0;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(CONFIG.assets); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("courtwatch-static-") === 0 && name !== STATIC;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// ---------------------------------------------------------------- whose pages these are
function storedKey() {
  if (currentKey) { return Promise.resolve(currentKey); }
  return caches.open(META).then(function (cache) { return cache.match(KEY_ENTRY); })
    .then(function (entry) { return entry ? entry.text() : null; })
    .then(function (key) { currentKey = key; return key; });
}

// A new session (another person, or the same one logged in again): every other page cache goes.
function useKey(key) {
  return storedKey().then(function (old) {
    if (old === key) { return; }
    currentKey = key;
    lastRefresh = 0;
    return caches.open(META).then(function (cache) { return cache.put(KEY_ENTRY, new Response(key)); })
      .then(function () { return caches.keys(); })
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf(USER_PREFIX) === 0 && name !== USER_PREFIX + key;
        }).map(function (name) { return caches.delete(name); }));
      });
  });
}

function clearDevice() {
  currentKey = null;
  return caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(USER_PREFIX) === 0 || name === META;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return CourtwatchQueue.clear(); });
}

function pageUrl(url) {
  var parsed = new URL(url);
  parsed.hash = "";
  return parsed.href;
}

// Store a page if (and only if) the server says it may be kept; drop it if it says never.
function remember(url, response) {
  if (!response || response.type !== "basic") { return Promise.resolve(); }
  var stamp = response.headers.get("X-Courtwatch-Offline");
  var key = response.headers.get("X-Courtwatch-Offline-Key");
  if (stamp === "never") {
    return storedKey().then(function (old) {
      return old ? caches.open(USER_PREFIX + old).then(function (cache) { return cache.delete(pageUrl(url)); }) : null;
    });
  }
  if (stamp !== "keep" || !key || !response.ok || response.redirected) { return Promise.resolve(); }
  return useKey(key).then(function () { return response.text(); }).then(function (html) {
    var headers = new Headers({ "Content-Type": "text/html; charset=utf-8", "X-Courtwatch-Synced-At": new Date().toISOString() });
    return caches.open(USER_PREFIX + key).then(function (cache) {
      return cache.put(pageUrl(url), new Response(html, { headers: headers }));
    });
  });
}

function keptPage(url) {
  return storedKey().then(function (key) {
    if (!key) { return null; }
    return caches.open(USER_PREFIX + key).then(function (cache) {
      return cache.match(pageUrl(url)).then(function (hit) { return hit || cache.match(pageUrl(url), { ignoreSearch: true }); });
    });
  });
}

// ---------------------------------------------------------------- showing a kept page
function attribute(html, name) {
  var match = new RegExp(name + '="([^"]*)"').exec(html);
  return match ? match[1] : "";
}

function withNote(html, syncedAt) {
  var lang = attribute(html, "<html lang") || "en";
  var when = syncedAt ? new Date(syncedAt) : null;
  var text = "";
  if (when) {
    try {
      text = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(when);
    } catch (e) { text = when.toISOString(); }
  }
  return html.replace("data-offline-note hidden", "data-offline-note")
    .replace("<time data-offline-synced></time>",
             '<time data-offline-synced datetime="' + (syncedAt || "") + '">' + text + "</time>");
}

function htmlResponse(html) {
  return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

function fromKept(url, change) {
  return keptPage(url).then(function (hit) {
    if (!hit) { return null; }
    var syncedAt = hit.headers.get("X-Courtwatch-Synced-At");
    return hit.text().then(function (html) {
      html = withNote(html, syncedAt);
      return htmlResponse(change ? change(html) : html);
    });
  });
}

function fallback() {
  return fromKept(CONFIG.fallbackUrl).then(function (page) { return page || Response.error(); });
}

// A message at the top of the page, and (for a shift) the same words inside that shift's card.
function insertMessage(html, message, shiftId) {
  var note = '<p class="flash flash-error" role="alert" data-no-signal="1">' + message + "</p>";
  var main = html.indexOf('<main id="main">');
  if (main !== -1) {
    var at = main + '<main id="main">'.length;
    html = html.slice(0, at) + note + html.slice(at);
  }
  if (shiftId) {
    var card = html.indexOf('data-shift-card="' + shiftId + '"');
    var actions = card === -1 ? -1 : html.indexOf('<div class="shift-actions', card);
    if (actions !== -1) {
      html = html.slice(0, actions) + '<p class="flash flash-error" data-no-signal="1">' + message + "</p>" + html.slice(actions);
    }
  }
  return html;
}

function sameSitePath(value, otherwise) {
  value = String(value || "");
  return value.charAt(0) === "/" && value.charAt(1) !== "/" && value.charAt(1) !== "\\" ? value : otherwise;
}

// The server writes message links in full (BASE_URL, as in the email): one on this origin is
// kept as its path, anything else gives way to sameSitePath's fallback.
function ownPath(value) {
  try {
    var url = new URL(String(value || ""), self.location.origin);
    return url.origin === self.location.origin ? url.pathname + url.search + url.hash : "";
  } catch (e) { return ""; }
}

// ---------------------------------------------------------------- requests
function navigate(event) {
  var request = event.request;
  return fetch(request).then(function (response) {
    event.waitUntil(remember(request.url, response.clone()).catch(function () {}));
    return response;
  }, function () {
    return fromKept(request.url).then(function (page) { return page || fallback(); });
  });
}

function noSignalForShift(form, match) {
  var next = sameSitePath(form && form.get("next"), "/shifts");
  var target = new URL(next, self.location.origin).href;
  var change = function (html) { return insertMessage(html, attribute(html, "data-msg-no-signal"), match[1]); };
  return fromKept(target, change).then(function (page) {
    return page || fromKept(new URL("/shifts", self.location.origin).href, change);
  }).then(function (page) { return page || fallback(); });
}

function postNavigation(event) {
  var request = event.request;
  var copy = request.clone();
  return fetch(request).catch(function () {
    var match = SHIFT_POST.exec(new URL(request.url).pathname);
    if (!match) { return fallback(); }  // (the report form's own script queues reports)
    return copy.formData().catch(function () { return null; }).then(function (form) {
      return noSignalForShift(form, match);
    });
  });
}

function currentAsset(url) {
  var path = new URL(url).pathname;
  var name = path.replace(/^\/assets\//, "").replace(/\.[0-9a-f]{10}(\.[A-Za-z0-9]+)$/, "$1");
  return CONFIG.assetMap[name] || null;
}

function asset(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) { return hit; }
      return fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      }, function () {
        // A page kept before a deploy names last week's file: the current one will do.
        var current = currentAsset(request.url);
        return (current && cache.match(current)) || Response.error();
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    event.respondWith(request.method === "GET" ? navigate(event) : postNavigation(event));
    return;
  }
  if (request.method !== "GET") { return; }  // the page's own fetch posts handle "no signal" themselves
  if (url.pathname.indexOf("/assets/") === 0) {
    event.respondWith(asset(request));
    return;
  }
  if (url.pathname === "/manifest.webmanifest") {
    event.respondWith(fetch(request).catch(function () {
      return caches.open(STATIC).then(function (cache) { return cache.match(request); })
        .then(function (hit) { return hit || Response.error(); });
    }));
  }
});

// ---------------------------------------------------------------- keeping the pages fresh
// Background fetches never follow a redirect: a page that has become private answers with a
// redirect to /login, and following it would make the login page remember that page as the place
// to return to after the next login, sending the volunteer somewhere they never asked to go.
function fetchAndKeep(url) {
  return fetch(url, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
    return remember(url, response.clone()).then(function () { return response; });
  }).catch(function () { return null; });
}

function followLinks(response, prefix) {
  if (!response || !response.ok) { return Promise.resolve(); }
  return response.text().then(function (html) {
    var links = {};
    var pattern = /href="([^"#?]+)"/g, match;
    while ((match = pattern.exec(html)) !== null) {
      // Reading pages only (/training/<slug>): never a form such as /training/new or .../edit.
      var rest = match[1].indexOf(prefix) === 0 ? match[1].slice(prefix.length) : "";
      if (rest && rest.indexOf("/") === -1 && rest !== "new") { links[match[1]] = true; }
    }
    return Promise.all(Object.keys(links).slice(0, 50).map(function (path) {
      return fetchAndKeep(new URL(path, self.location.origin).href);
    }));
  });
}

var refreshing = null;  // one refresh at a time; a page asking meanwhile waits for that one

function refreshPages(key, force) {
  if (refreshing) { return refreshing; }
  refreshing = refreshOnce(key, force).then(function (done) { refreshing = null; return done; });
  return refreshing;
}

function refreshOnce(key, force) {
  return storedKey().then(function (stored) {
    if (!force && stored === key && Date.now() - lastRefresh < REFRESH_EVERY_MS) { return false; }
    lastRefresh = Date.now();
    return fetch(CONFIG.pagesUrl, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
      if (!response.ok || response.redirected) { return false; }
      return response.json().then(function (list) {
        if (!list.key) { return false; }
        return useKey(list.key).then(function () {
          return Promise.all(list.pages.map(function (path) {
            var url = new URL(path, self.location.origin).href;
            return fetchAndKeep(url).then(function (response) {
              var prefix = list.follow && list.follow[path];
              return prefix ? followLinks(response, prefix) : null;
            });
          }));
        }).then(function () { return true; });
      });
    });
  }).catch(function () { return false; });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var reply = function (message) { if (event.source) { event.source.postMessage(message); } };
  if (data.type === "pages" && data.key) {
    event.waitUntil(refreshPages(data.key, data.force).then(function (done) { reply({ type: "pages-kept", fresh: done }); }));
  } else if (data.type === "clear") {
    event.waitUntil(clearDevice().then(function () { reply({ type: "cleared" }); }));
  } else if (data.type === "flush") {
    event.waitUntil(CourtwatchQueue.flush({ owner: data.owner }).then(function () { reply({ type: "flushed" }); }));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag !== CourtwatchQueue.SYNC_TAG) { return; }
  event.waitUntil(CourtwatchQueue.flush({}).then(function (outcomes) {
    // Still no signal: fail, so the browser tries again later.
    if (outcomes.indexOf("offline") !== -1 || outcomes.indexOf("retry") !== -1) { throw new Error("still offline"); }
  }));
});

// ---------------------------------------------------------------- push (the server side comes later)
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data ? event.data.text() : "" }; }
  var url = sameSitePath(ownPath(data.url), "/");
  event.waitUntil(self.registration.showNotification(data.title || "Courtwatch", {
    body: data.body || "", tag: data.tag || undefined, icon: CONFIG.icon, badge: CONFIG.icon, data: { url: url }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i += 1) {
      if (windows[i].url === target && "focus" in windows[i]) { return windows[i].focus(); }
    }
    return self.clients.openWindow(target);
  }));
});
