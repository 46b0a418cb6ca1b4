// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Side panels (the course index) start open where there is room beside the text
  // and folded on phones; without JavaScript they start folded and open on a tap.
  if (window.matchMedia && window.matchMedia("(min-width: 56.01rem)").matches) {
    document.addEventListener("DOMContentLoaded", function () {
      document.querySelectorAll("details[data-open-wide]").forEach(function (el) { el.open = true; });
    });
  }
  // Tables in rendered Markdown scroll inside a box of their own on narrow screens; the
  // box takes keyboard focus (arrow keys scroll it) and is named after the table's
  // caption, the heading before it, or its column headings.
  function tableName(table) {
    if (table.caption && table.caption.textContent.trim()) {
      return table.caption.textContent.trim();
    }
    for (var el = table.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[2-6]$/.test(el.tagName)) {
        return el.textContent.trim();
      }
    }
    return Array.prototype.map.call(table.querySelectorAll("th"), function (th) {
      return th.textContent.trim();
    }).join(", ").slice(0, 120);
  }
  document.querySelectorAll(".prose table, .post-body table, .question-text table, .feedback table")
    .forEach(function (table) {
      if (table.parentElement.classList.contains("table-scroll")) {
        return;
      }
      var box = document.createElement("div");
      box.className = "table-scroll";
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", tableName(table));
      box.tabIndex = 0;
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    }
    // A file over the limit is refused before sending: the server could only answer
    // 413 and the text typed beside it would have to be recovered from history.
    if (el.matches && el.matches("input[type=file][data-max-bytes]")) {
      var limit = parseInt(el.getAttribute("data-max-bytes"), 10);
      var message = "";
      Array.prototype.forEach.call(el.files || [], function (file) {
        if (!message && file.size > limit) {
          message = (el.getAttribute("data-too-large") || "").replace("%(name)s", file.name);
        }
      });
      el.setCustomValidity(message);
      if (message) {
        el.reportValidity();
      }
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
