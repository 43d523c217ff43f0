// Upvote without a page reload: submits the vote form with fetch to the JSON API and
// updates the count and the button. Without JavaScript the form posts normally.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("vote-form")) return;
  if (!window.fetch) return;
  event.preventDefault();
  var button = form.querySelector(".vote-button");
  var token = form.querySelector('input[name="csrf_token"]').value;
  if (button) button.disabled = true;
  fetch(form.dataset.api, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRF-Token": token, "Accept": "application/json" }
  }).then(function (response) {
    if (!response.ok) throw new Error("vote failed: " + response.status);
    return response.json();
  }).then(function (data) {
    document.querySelectorAll('form.vote-form[data-api="' + form.dataset.api + '"]').forEach(function (f) {
      var b = f.querySelector(".vote-button");
      var count = f.querySelector(".vote-count");
      if (count) count.textContent = String(data.upvotes);
      if (b) {
        b.classList.toggle("voted", data.voted);
        b.setAttribute("aria-pressed", data.voted ? "true" : "false");
        var hf = Number(b.dataset.hf || 0);
        if (hf) b.title = "Upvote (" + data.upvotes + " upvotes: HF " + hf + " · here " + (data.upvotes - hf) + ")";
      }
    });
    // The paper page's "▲ 57: HF 55 · here 2" line.
    document.querySelectorAll('.vote-sources[data-api="' + form.dataset.api + '"]').forEach(function (s) {
      var hf = Number(s.dataset.hf || 0);
      s.textContent = "▲ " + data.upvotes + ": HF " + hf + " · here " + (data.upvotes - hf);
    });
    if (button) button.disabled = false;
  }).catch(function () {
    form.submit();  // fall back to the plain form post
  });
});
