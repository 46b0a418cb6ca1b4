// The notification bell opens a drop-down of grouped notifications. Without
// JavaScript (or fetch) it stays a plain link to the notifications page.
// A disclosure button: aria-expanded says whether the panel is open; Escape closes
// it and gives the focus back to the button, as do a click or the focus elsewhere.
(function () {
  "use strict";
  var link = document.querySelector("a.notification-bell[data-menu]");
  if (!link || !window.fetch) {
    return;
  }
  var wrap = link.parentNode;
  var button = document.createElement("button");
  button.type = "button";
  button.className = link.className;
  while (link.firstChild) {
    button.appendChild(link.firstChild);  // the icon, the count and the spoken name
  }
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "bell-panel");
  var panel = document.createElement("div");
  panel.id = "bell-panel";
  panel.className = "bell-panel";
  panel.hidden = true;
  wrap.replaceChild(button, link);
  wrap.appendChild(panel);

  function message(text) {
    var p = document.createElement("p");
    p.className = "meta";
    p.textContent = text;
    panel.replaceChildren(p);
  }

  function close(giveFocusBack) {
    if (panel.hidden) {
      return;
    }
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (giveFocusBack) {
      button.focus();
    }
  }

  function open() {
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    message(link.getAttribute("data-loading") || "…");
    fetch(link.getAttribute("data-menu"), {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) {
        if (!response.ok || response.redirected) {  // a login page is no drop-down
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        // Rendered by the server, every text escaped there (forum/_bell_menu.html).
        panel.innerHTML = html;
      })
      .catch(function () {
        window.location.href = link.href;  // the full page says what the panel could not
      });
  }

  button.addEventListener("click", function () {
    if (panel.hidden) {
      open();
    } else {
      close(false);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !panel.hidden) {
      close(true);
    }
  });
  document.addEventListener("click", function (event) {
    if (!wrap.contains(event.target)) {
      close(false);
    }
  });
  wrap.addEventListener("focusout", function (event) {
    if (event.relatedTarget && !wrap.contains(event.relatedTarget)) {
      close(false);
    }
  });
})();
