/* A certificate batch's page: asks the server for the batch's progress every two seconds and
   moves the progress bar; when the batch is finished, reloads the page to show the result and
   the download. Without it, the page reloads itself (a <noscript> refresh) or by the link. */
(function () {
  "use strict";

  var box = document.getElementById("batch");
  if (!box || box.dataset.finished === "true") {
    return;
  }
  var url = box.dataset.statusUrl;
  var bar = box.querySelector("[data-batch-progress]");
  var label = box.querySelector("[data-batch-status]");
  var text = box.querySelector("[data-batch-text]");
  var failures = 0;
  var EVERY = 2000;

  function show(state) {
    if (bar) {
      bar.max = state.total || 1;
      bar.value = state.done;
      bar.textContent = state.percent + "%";
    }
    if (label) {
      label.textContent = state.status_label;
    }
    if (text) {
      text.textContent = state.text;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        show(state);
        if (state.finished) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, EVERY);
      })
      .catch(function () {
        failures += 1;
        if (failures < 5) {
          window.setTimeout(poll, EVERY * failures);
        }
      });
  }

  window.setTimeout(poll, EVERY);
})();
