/* The exam page: saves each answer as the trainee goes, counts down from the server's clock
   (re-synced on every save) and submits when the time is up. The page works without it: the
   "Save answers" and "Submit the exam" buttons post the whole form. No answer key ever reaches
   this script: the server sends only when an answer was saved and the seconds left. */
(function () {
  "use strict";

  var form = document.getElementById("exam-form");
  if (!form) {
    return;
  }
  var timer = document.getElementById("exam-timer");
  var status = document.getElementById("exam-status");
  var submitButton = document.getElementById("exam-submit");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");
  var answerUrl = form.dataset.answerUrl;
  var resultUrl = form.dataset.resultUrl;
  var deadline = null; // in this browser's clock, from the server's seconds left
  var finished = false;
  var textTimers = {};
  var queue = Promise.resolve();

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function format(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var mm = (m < 10 ? "0" : "") + m;
    var ss = (s < 10 ? "0" : "") + s;
    return h ? h + ":" + mm + ":" + ss : mm + ":" + ss;
  }

  function sync(secondsLeft) {
    if (secondsLeft === null || secondsLeft === undefined || isNaN(secondsLeft)) {
      return;
    }
    deadline = Date.now() + Number(secondsLeft) * 1000;
    tick();
  }

  function submitNow() {
    if (finished) {
      return;
    }
    finished = true;
    say(form.dataset.msgTimeUp);
    if (form.requestSubmit && submitButton) {
      form.requestSubmit(submitButton);
    } else {
      form.action = submitButton.getAttribute("formaction");
      form.submit();
    }
  }

  function tick() {
    if (deadline === null || !timer) {
      return;
    }
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    timer.textContent = format(left);
    if (left === 0) {
      submitNow();
    }
  }

  function answerOf(fieldset) {
    var id = fieldset.dataset.question;
    var data = new URLSearchParams();
    data.append("questions", id);
    fieldset.querySelectorAll("input[name='q-" + id + "']:checked").forEach(function (input) {
      data.append("q-" + id, input.value);
    });
    var text = fieldset.querySelector("textarea");
    if (text) {
      data.append("q-" + id + "-text", text.value);
    }
    return data;
  }

  function save(fieldset) {
    var body = answerOf(fieldset);
    say(form.dataset.msgSaving);
    queue = queue.then(function () {
      if (finished) {
        return null;
      }
      return fetch(answerUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "Content-Type": "application/x-www-form-urlencoded",
          "X-CSRFToken": csrf ? csrf.value : "",
        },
        body: body.toString(),
      })
        .then(function (response) {
          return response.json().then(function (payload) {
            return { ok: response.ok, payload: payload };
          });
        })
        .then(function (reply) {
          if (reply.ok) {
            fieldset.dataset.saved = "true";
            say(form.dataset.msgSaved + " " + new Date(reply.payload.saved_at).toLocaleTimeString());
            sync(reply.payload.seconds_left);
            return;
          }
          say(reply.payload.error || "");
          if (reply.payload.closed) {
            finished = true;
            window.setTimeout(function () {
              window.location.assign(reply.payload.result_url || resultUrl);
            }, 1500);
          }
        })
        .catch(function () {
          say(form.dataset.msgOffline);
        });
    });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (fieldset && event.target.tagName !== "TEXTAREA") {
      save(fieldset);
    }
  });

  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA") {
      return;
    }
    var fieldset = event.target.closest("fieldset[data-question]");
    var id = fieldset.dataset.question;
    window.clearTimeout(textTimers[id]);
    textTimers[id] = window.setTimeout(function () {
      save(fieldset);
    }, 800);
  });

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (!finished && submitter && submitter === submitButton) {
      if (!window.confirm(form.dataset.msgConfirm)) {
        event.preventDefault();
        return;
      }
    }
    finished = true;
  });

  if (form.dataset.secondsLeft !== undefined) {
    sync(Number(form.dataset.secondsLeft));
    window.setInterval(tick, 1000);
  }
})();
