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
  var first = form.querySelector(".screen.has-problem");
  show(first ? Number(first.dataset.screen) : 1);
})();
