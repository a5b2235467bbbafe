// The workspace's service worker: the app (styles, scripts, icons) and the pages an auditor has
// opened (the inspection list, each assigned checklist) are kept in the Cache API, so that a
// checklist opens and fills with no network. Pages come from the network when it answers (and
// the copy is refreshed), from the cache when it does not. Nothing is sent from here: queued
// submissions are sent by the page (offline.js) when the network is back.
"use strict";
var CACHE = "checkengine-workspace-v1";
var SHELL = ["/static/app.css", "/static/checklist.js", "/static/offline.js", "/static/manifest.webmanifest",
             "/static/icon-192.png", "/static/icon-512.png",
             // the signing forms' script and the vendored signature pad it starts
             "/static/signing.js", "/static/vendor/signature_pad.umd.min.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function cacheable(request) {
  var url = new URL(request.url);
  return request.method === "GET" && url.origin === self.location.origin &&
    (url.pathname.indexOf("/static/") === 0 || url.pathname === "/inspections" ||
     /^\/inspections\/\d+(\/result)?$/.test(url.pathname) || url.pathname.indexOf("/photos/") === 0);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (!cacheable(request)) { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, {ignoreVary: true}).then(function (hit) {
      return hit || caches.match(request, {ignoreSearch: true, ignoreVary: true}).then(function (any) {
        return any || new Response("offline, and this page was not opened before", {status: 503,
          headers: {"content-type": "text/plain; charset=utf-8"}});
      });
    });
  }));
});
