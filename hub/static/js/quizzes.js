// Quiz attempts: background autosave and the countdown. Without JavaScript every page
// change saves, and the server enforces the time limit on its own.
(function () {
  "use strict";
  var form = document.querySelector("form.quiz-attempt[data-autosave]");
  var status = document.querySelector(".autosave-status");
  var submitting = false;
  var dirty = false;
  var timer = null;

  function say(key) {
    if (status && form && form.getAttribute("data-msg-" + key)) {
      var text = form.getAttribute("data-msg-" + key);
      if (key === "saved") {
        var now = new Date();
        text = text.replace("{time}", now.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"}));
      }
      status.textContent = text;
    }
  }

  function refreshNav() {
    if (!form) { return; }
    var buttons = document.querySelectorAll("[data-nav-for]");
    Array.prototype.forEach.call(buttons, function (button) {
      var prefix = "q" + button.getAttribute("data-nav-for");
      var fields = form.querySelectorAll("[name='" + prefix + "'], [name^='" + prefix + "_']");
      if (!fields.length) { return; }
      var answered = Array.prototype.some.call(fields, function (el) {
        if (el.type === "radio" || el.type === "checkbox") { return el.checked && el.value !== ""; }
        return el.value.trim() !== "";
      });
      button.classList.toggle("answered", answered);
    });
  }

  // After a save, each question's state line says what the server now holds.
  function showStates(states) {
    if (!form || !states) { return; }
    Object.keys(states).forEach(function (position) {
      var state = states[position];
      var line = document.querySelector("[data-status-for='" + position + "']");
      var text = form.getAttribute("data-msg-state-" + state);
      if (line && text) { line.textContent = text; }
      var button = document.querySelector("[data-nav-for='" + position + "']");
      if (button && button.getAttribute("data-nav-label")) {
        var answered = state !== "todo";
        button.classList.toggle("answered", answered);
        button.setAttribute("aria-label", button.getAttribute("data-nav-label") + ", " +
          form.getAttribute("data-msg-nav-" + (answered ? "answered" : "todo")));
      }
    });
  }

  function save(keepalive) {
    if (!form || submitting || !dirty) { return Promise.resolve(); }
    dirty = false;
    say("saving");
    return fetch(form.getAttribute("data-autosave"), {
      method: "POST", body: new FormData(form), credentials: "same-origin", keepalive: !!keepalive,
      headers: {"Accept": "application/json", "X-Requested-With": "fetch"}
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (result) {
      if (result.body.redirect) { submitting = true; window.location.assign(result.body.redirect); return; }
      if (!result.ok) { throw new Error("save failed"); }
      say(result.body.login_required ? "login" : "saved");
      showStates(result.body.states);
    }).catch(function () {
      dirty = true;
      say("failed");
    });
  }

  if (form) {
    var onChange = function () {
      dirty = true;
      refreshNav();
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { save(false); }, 1500);
    };
    // "Clear my choice" hides itself once chosen: keep the keyboard in the question.
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.type === "radio" && target.value === "" && target.closest(".clear-choice")) {
        var first = target.closest("fieldset").querySelector("input[type='radio']");
        if (first) { first.focus(); }
      }
    });
    form.addEventListener("input", onChange);
    form.addEventListener("change", onChange);
    form.addEventListener("submit", function () { submitting = true; });
    window.setInterval(function () { save(false); }, 30000);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { save(true); }
    });
  }

  // Countdown. The server's clock rules; the page only shows it and submits at zero.
  var box = document.getElementById("quiz-timer");
  if (box) {
    var deadline = Date.parse(box.getAttribute("data-deadline"));
    var offset = Date.now() - Date.parse(box.getAttribute("data-now"));
    var value = box.querySelector(".quiz-timer-value");
    var alertBox = box.querySelector(".quiz-timer-alert");
    var previous = null;  // seconds left at the last tick: an alert is due when a mark is crossed
    var finish = function () {
      if (submitting) { return; }
      submitting = true;
      if (form) {
        var action = document.createElement("input");
        action.type = "hidden";
        action.name = "action";
        action.value = "timeup";
        form.appendChild(action);
        form.submit();
      } else {
        var submitForm = document.querySelector("form.quiz-submit");
        if (submitForm) { submitForm.submit(); } else { window.location.reload(); }
      }
    };
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - (Date.now() - offset)) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      value.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      // Announce a mark only when the time left passes it while the page is open: a
      // 3-minute attempt never hears "5 minutes left". After a long pause (a sleeping
      // laptop) only the lowest mark passed is said, the one that is true now.
      if (previous !== null && left > 0 && alertBox) {
        var crossed = [300, 60].filter(function (mark) { return previous > mark && left <= mark; });
        if (crossed.length) {
          alertBox.textContent = box.getAttribute("data-msg-" + crossed[crossed.length - 1]) || "";
        }
      }
      previous = left;
      box.classList.toggle("urgent", left <= 60);
      if (left <= 0) { finish(); } else { window.setTimeout(tick, 1000); }
    };
    tick();
  }
})();
