// The signature pad of the signing and review forms: signature_pad (vendor/, MIT) draws; this only
// sizes its canvas for the screen's pixel density, clears it, and puts the drawing (a PNG data URL)
// in the form's hidden "drawing" field when the form is sent. Nothing drawn: the field stays empty
// and the form is signed without a drawing. Without script the pad is hidden and signing still works.
(function () {
  "use strict";
  if (!window.SignaturePad) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("form [data-pad]"), function (box) {
    var form = box.closest("form");
    var canvas = box.querySelector("canvas");
    var field = form.querySelector("input[name=drawing]");
    var pad = new window.SignaturePad(canvas, {penColor: "rgb(10, 10, 10)", minWidth: 1.2, maxWidth: 3.4});
    function fit() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var strokes = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      pad.fromData(strokes);
    }
    box.hidden = false;  // shown first: a hidden canvas has no size to fit
    window.addEventListener("resize", fit);
    fit();
    box.querySelector("button[data-clear]").addEventListener("click", function () { pad.clear(); });
    form.addEventListener("submit", function () {
      field.value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
    });
  });
})();
