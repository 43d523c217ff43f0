// The paper page's "Copy BibTeX" button. Without JavaScript the BibTeX is still there
// as selectable text, so the button stays hidden until this script runs.
(function () {
  "use strict";
  function setup() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      var status = button.parentElement.querySelector(".copy-status");
      if (!source) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = source.textContent;
        function done(message) { if (status) status.textContent = message; }
        function selectIt() {
          var range = document.createRange();
          range.selectNodeContents(source);
          var sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          done("Selected: press Ctrl+C (⌘C) to copy.");
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { done("Copied."); }, selectIt);
        } else {
          selectIt();
        }
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
