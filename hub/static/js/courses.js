// Course editor: "Preview" asks the server to render the Markdown (the same
// sanitising renderer used when saving) and shows it without reloading the page.
// Without JavaScript the button posts the form and the page comes back with the preview.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-preview-button]") : null;
    if (!button || !button.form) {
      return;
    }
    var form = button.form;
    var url = form.getAttribute("data-preview-url");
    var textarea = form.querySelector(".markdown-field textarea");
    var output = form.querySelector(".preview-output");
    if (!url || !textarea || !output || !window.fetch) {
      return;  // fall back to the normal form post
    }
    event.preventDefault();
    var body = new FormData();
    var token = form.querySelector("input[name=csrf_token]");
    if (token) {
      body.append("csrf_token", token.value);
    }
    body.append("text", textarea.value);
    output.setAttribute("aria-busy", "true");
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        output.innerHTML = data.html;  // sanitised on the server
      })
      .catch(function () {
        form.requestSubmit ? form.requestSubmit(button) : form.submit();
      })
      .then(function () {
        output.removeAttribute("aria-busy");
      });
  });
})();
