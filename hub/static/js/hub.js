// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
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
