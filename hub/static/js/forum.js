// Forum enhancements: quoting into the reply box on the same page, and @mention
// suggestions while typing. Without JavaScript, "Quote" opens the reply page with
// the quote filled in, and mentions are typed by hand as @[Display Name].
(function () {
  "use strict";

  // --- Quote into the reply form below the thread ---------------------------------
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-quote]");
    var box = document.querySelector("#reply-form textarea[name=body]");
    if (!link || !box || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var source = doc.querySelector("textarea[name=body]");
        if (!source) { throw new Error("no quote"); }
        var current = box.value.replace(/\s+$/, "");
        box.value = (current ? current + "\n\n" : "") + source.value;
        box.dispatchEvent(new Event("input", { bubbles: true }));  // the live preview (editor.js)
        box.focus();
        box.setSelectionRange(box.value.length, box.value.length);
        box.scrollIntoView({ block: "center" });
      })
      .catch(function () { window.location.href = link.href; });
  });

  // --- @mention suggestions --------------------------------------------------------
  var TRIGGER = /(?:^|[\s(])@(?:\[([^\]\n#]{2,60})|([^\s@\[\]]{2,30}))$/;
  var counter = 0;

  function setup(area) {
    var url = area.getAttribute("data-mentions");
    var list = document.createElement("ul");
    var id = "mention-list-" + (++counter);
    var items = [];
    var active = -1;
    var timer = null;
    var match = null;
    list.id = id;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", area.getAttribute("data-mentions-label") || "Members");
    list.hidden = true;
    area.parentNode.appendChild(list);
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", id);

    function close() {
      list.hidden = true;
      items = [];
      active = -1;
      area.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) { area.setAttribute("aria-activedescendant", id + "-" + index); }
    }

    function choose(index) {
      var item = items[index];
      if (!item || !match) { return; }
      var caret = area.selectionStart;
      var before = area.value.slice(0, caret);
      var start = before.lastIndexOf("@");
      var text = item.insert + " ";
      area.value = area.value.slice(0, start) + text + area.value.slice(caret);
      var position = start + text.length;
      area.setSelectionRange(position, position);
      close();
      area.focus();
    }

    function show(results) {
      items = results;
      list.textContent = "";
      if (!results.length) { close(); return; }
      results.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = id + "-" + i;
        li.setAttribute("role", "option");
        li.textContent = item.name;
        if (item.detail) {
          var detail = document.createElement("span");
          detail.className = "meta";
          detail.textContent = " · " + item.detail;
          li.appendChild(detail);
        }
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      highlight(0);
    }

    area.addEventListener("input", function () {
      var before = area.value.slice(0, area.selectionStart);
      match = TRIGGER.exec(before);
      clearTimeout(timer);
      if (!match) { close(); return; }
      var query = (match[1] || match[2] || "").trim();
      timer = setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin",
                                                         headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(show)
          .catch(close);
      }, 150);
    });

    area.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight((active - 1 + items.length) % items.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        choose(active < 0 ? 0 : active);
      } else if (event.key === "Escape") {
        close();
      }
    });
    area.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-mentions]"), setup);
})();
