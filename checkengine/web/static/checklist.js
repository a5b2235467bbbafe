// One section per screen: Back and Next move between them; after a refused submission the first
// section with a problem is shown. Without this script every section shows, one below another.
(function () {
  "use strict";
  var form = document.getElementById("checklist");
  if (!form) { return; }
  var screens = Array.prototype.slice.call(form.querySelectorAll(".screen"));
  function show(n) {
    screens.forEach(function (s) { s.classList.toggle("current", Number(s.dataset.screen) === n); });
    window.scrollTo(0, 0);
  }
  form.classList.add("paged");
  form.addEventListener("click", function (event) {
    var go = event.target.closest("[data-go]");
    if (go) { event.preventDefault(); show(Number(go.dataset.go)); }
  });
  // Sent with fetch, as multipart with the photos, the CSRF token in its header (the server
  // refuses multipart without it). Without this script the form is sent as a plain form, photos aside.
  // Without network it goes into the outbox (offline.js), to be sent when the network is back.
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button.primary");
    if (button) { button.disabled = true; }
    var queue = function () {
      if (button) { button.disabled = false; }
      if (window.checkengineQueue) { window.checkengineQueue(); }
    };
    if (!navigator.onLine) { queue(); return; }
    var token = form.querySelector("input[name=csrftoken]").value;
    fetch(form.action, {method: "POST", body: new FormData(form), headers: {"X-CSRFToken": token},
                        credentials: "same-origin"})
      .then(function (response) {
        if (response.ok && response.redirected) {
          var go = function () { window.location.assign(response.url); };
          return (window.checkengineForget ? window.checkengineForget() : Promise.resolve()).then(go, go);
        }
        return response.text().then(function (html) {
          document.open(); document.write(html); document.close();
        });
      })
      .catch(queue);
  });
  var first = form.querySelector(".screen.has-problem");
  show(first ? Number(first.dataset.screen) : 1);
})();
