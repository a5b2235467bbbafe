// Offline first (docs/serve.md): the service worker keeps the app and the opened pages; this script
// keeps each checklist's answers and photos as a draft in IndexedDB (they survive a reload or a
// closed tab), queues a submission made without network in an outbox with the id made on this
// device (a resend is never a duplicate: the server keeps the first), sends the outbox when the
// network is back, and says plainly where things stand.
(function () {
  "use strict";
  var DB = "checkengine-workspace", VERSION = 1;
  var sync = document.getElementById("sync");
  if ("serviceWorker" in navigator) { navigator.serviceWorker.register("/sw.js", {scope: "/"}); }

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, VERSION);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("drafts", {keyPath: "inspection"});
        request.result.createObjectStore("outbox", {keyPath: "id"});
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function store(name, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode), result;
        Promise.resolve(work(tx.objectStore(name))).then(function (r) { result = r; });
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  function request(r) {
    return new Promise(function (resolve, reject) { r.onsuccess = function () { resolve(r.result); }; r.onerror = function () { reject(r.error); }; });
  }
  function all(name) { return store(name, "readonly", function (s) { return request(s.getAll()); }); }
  function put(name, value) { return store(name, "readwrite", function (s) { s.put(value); }); }
  function remove(name, key) { return store(name, "readwrite", function (s) { s.delete(key); }); }
  function get(name, key) { return store(name, "readonly", function (s) { return request(s.get(key)); }); }

  function say(state, text) {
    if (!sync) { return; }
    sync.dataset.state = state;
    sync.textContent = text;
    sync.hidden = false;
  }
  var words = sync ? JSON.parse(sync.dataset.words) : {};

  // -- sending the outbox ----------------------------------------------------------------------
  var sending = false;
  function send(entry) {
    var data = new FormData();
    entry.fields.forEach(function (pair) {
      if (pair[1] instanceof Blob) { data.append(pair[0], pair[1], pair[2]); } else { data.append(pair[0], pair[1]); }
    });
    return fetch(entry.action, {method: "POST", body: data, headers: {"X-CSRFToken": entry.token},
                                credentials: "same-origin"})
      .then(function (response) {
        if (response.ok && response.redirected) {
          return remove("outbox", entry.id).then(function () { return remove("drafts", entry.inspection); })
            .then(function () { return {sent: true, url: response.url, entry: entry}; });
        }
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var message = Array.prototype.map.call(page.querySelectorAll("p.error"), function (p) {
            return p.textContent.trim(); }).join(" ") || ("HTTP " + response.status);
          entry.refused = message;
          return put("outbox", entry).then(function () { return {sent: false, refused: message, entry: entry}; });
        });
      });
  }
  function flush() {
    if (sending || !navigator.onLine) { return Promise.resolve([]); }
    sending = true;
    return all("outbox").then(function (entries) {
      return entries.reduce(function (chain, entry) {
        return chain.then(function (done) {
          return send(entry).then(function (r) { return done.concat([r]); }, function () { return done; });
        });
      }, Promise.resolve([]));
    }).then(function (results) { sending = false; return results; }, function (e) { sending = false; throw e; });
  }
  function show() {
    return all("outbox").then(function (entries) {
      var refused = entries.filter(function (e) { return e.refused; });
      if (refused.length) { say("refused", words.refused + " " + refused[0].refused); }
      else if (entries.length) { say("queued", words.queued.replace("{n}", entries.length)); }
      else if (!navigator.onLine) { say("offline", words.offline); }
      else if (sync) { sync.hidden = true; }
      return entries;
    });
  }
  window.addEventListener("online", function () {
    flush().then(function (results) {
      var here = form && results.filter(function (r) { return r.sent && String(r.entry.inspection) === form.dataset.inspection; })[0];
      if (here) { window.location.assign(here.url); return; }
      if (results.some(function (r) { return r.sent; })) { say("sent", words.sent); }
      show();
    });
  });
  window.addEventListener("offline", show);

  // -- the checklist's draft -------------------------------------------------------------------
  var form = document.getElementById("checklist");
  function fields() {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) { return; }
      if (el.type === "file") {
        Array.prototype.forEach.call(el.files, function (f) { out.push([el.name, f, f.name]); });
      } else if ((el.type === "radio" || el.type === "checkbox") && !el.checked) {
        return;
      } else if (el.tagName !== "BUTTON") {
        out.push([el.name, el.value]);
      }
    });
    return out;
  }
  function restore(draft) {
    var files = {};
    draft.fields.forEach(function (pair) {
      var name = pair[0], value = pair[1];
      var els = form.querySelectorAll("[name='" + CSS.escape(name) + "']");
      Array.prototype.forEach.call(els, function (el) {
        if (el.type === "file") { (files[name] = files[name] || []).push(value); }
        else if (el.type === "radio" || el.type === "checkbox") { if (el.value === value) { el.checked = true; } }
        else if (el.type !== "hidden") { el.value = value; }
      });
    });
    Object.keys(files).forEach(function (name) {
      var input = form.querySelector("input[type=file][name='" + CSS.escape(name) + "']");
      var list = new DataTransfer();
      files[name].forEach(function (f) { list.items.add(f); });
      input.files = list.files;
    });
    form.querySelector("input[name=submission_id]").value = draft.deviceId;
  }
  if (form) {
    var inspection = form.dataset.inspection;
    var refusedPage = !!document.getElementById("problems");
    var ready = get("drafts", inspection).then(function (draft) {
      if (!draft) {
        draft = {inspection: inspection, deviceId: self.crypto.randomUUID().replace(/-/g, ""), fields: []};
      } else if (!refusedPage) {
        restore(draft);
        say("draft", words.draft);
      }
      form.querySelector("input[name=submission_id]").value = draft.deviceId;
      return draft;
    });
    var save = function () {
      ready.then(function (draft) {
        draft.fields = fields();
        draft.savedAt = new Date().toISOString();
        return put("drafts", draft);
      }).then(function () { say("draft", words.draft); });
    };
    form.addEventListener("change", save);
    form.addEventListener("input", save);
    // Sent (by checklist.js): the draft, and a queued copy the server had refused, are done with.
    window.checkengineForget = function () {
      return ready.then(function (draft) { return remove("outbox", draft.deviceId); })
        .then(function () { return remove("drafts", inspection); });
    };
    // Called by checklist.js when the network cannot be reached: into the outbox.
    window.checkengineQueue = function () {
      return ready.then(function (draft) {
        var entry = {id: draft.deviceId, inspection: inspection, action: form.action,
                     token: form.querySelector("input[name=csrftoken]").value, fields: fields(),
                     queuedAt: new Date().toISOString()};
        return put("outbox", entry).then(show);
      });
    };
  }
  // The inspection list: open each checklist still to do once, so that the service worker keeps it.
  Array.prototype.forEach.call(document.querySelectorAll("a.tile[data-todo]"), function (a) {
    if (navigator.onLine) { fetch(a.href, {credentials: "same-origin"}).catch(function () {}); }
  });
  // Signing out on a shared tablet: the pages kept for offline use go too.
  Array.prototype.forEach.call(document.querySelectorAll("form[action='/logout']"), function (f) {
    f.addEventListener("submit", function () { if (window.caches) { caches.delete("checkengine-workspace-v1"); } });
  });
  // A form with a file (the signing key) is sent as multipart with the CSRF token in its header.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-fetch]"), function (f) {
    f.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(f.action, {method: "POST", body: new FormData(f), credentials: "same-origin",
                       headers: {"X-CSRFToken": f.querySelector("input[name=csrftoken]").value}})
        .then(function (response) {
          if (response.ok && response.redirected) { window.location.assign(response.url); return null; }
          return response.text().then(function (html) { document.open(); document.write(html); document.close(); });
        });
    });
  });
  show();
  flush().then(function (results) { if (results.length) { show(); } });
})();
