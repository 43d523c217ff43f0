// Save to the library without a page reload: the Save control's forms are posted with
// fetch (asking for JSON), then every Save control of that paper on the page and every
// collection menu are updated. Without JavaScript the forms post normally (303 back).
"use strict";
(function () {
  function controlsOf(id) {
    return Array.prototype.filter.call(
      document.querySelectorAll("details.save-control"),
      function (d) { return d.dataset.paper === id; }
    );
  }

  function fillMenus(collections) {
    document.querySelectorAll('details.save-control select[name="collection"]').forEach(function (select) {
      var chosen = select.value;
      while (select.options.length > 1) select.remove(1);  // keep "(none)"
      collections.forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        option.textContent = name;
        select.appendChild(option);
      });
      select.value = collections.indexOf(chosen) >= 0 ? chosen : "";
      var label = select.closest("label");
      if (label) label.hidden = collections.length === 0;
    });
    document.querySelectorAll("details.save-control .save-new-label").forEach(function (span) {
      span.textContent = collections.length ? "or new collection" : "Collection (optional)";
    });
  }

  function show(state) {
    controlsOf(state.id).forEach(function (control) {
      control.classList.toggle("saved", state.saved);
      var summary = control.querySelector("summary");
      summary.textContent = state.saved ? "★ Saved" : "☆ Save";
      summary.title = state.saved ? "In your library" : "Save to your library";
      var unsave = control.querySelector(".unsave-form");
      if (unsave) unsave.hidden = !state.saved;
      var button = control.querySelector('.save-form button[type="submit"]');
      if (button) button.textContent = state.saved ? "Add" : "Save";
      var name = control.querySelector('input[name="new_collection"]');
      if (name) name.value = "";
      var status = control.querySelector(".save-status");
      if (status) {
        status.textContent = !state.saved ? "Removed from your library." :
          state.tags.length ? "Saved in: " + state.tags.join(", ") : "Saved.";
      }
    });
    fillMenus(state.collections);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !window.fetch) return;
    if (!form.classList.contains("save-form") && !form.classList.contains("unsave-form")) return;
    var control = form.closest("details.save-control");
    if (!control) return;
    event.preventDefault();
    var token = form.querySelector('input[name="csrf_token"]').value;
    var status = control.querySelector(".save-status");
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": token, "Accept": "application/json" },
      body: new URLSearchParams(new FormData(form))
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw { detail: data && data.error ? data.error.detail : "failed" };
        return data;
      });
    }).then(show).catch(function (error) {
      if (error && error.detail && status) {
        status.textContent = error.detail;  // e.g. a collection name over 64 characters
      } else {
        form.submit();  // fall back to the plain form post
      }
    });
  });
})();
