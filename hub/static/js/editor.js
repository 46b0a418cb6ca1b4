// The post editor: formatting toolbar, live preview, images dropped or pasted into
// the text, and quoting the part of a post a member selected. Without JavaScript the
// textarea, the "Preview" button and the attachment field work as before.
// The preview is rendered by the server (the renderer and sanitiser posts use);
// this file never turns Markdown into HTML.
(function () {
  "use strict";

  var IMAGE_TYPES = { "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp" };

  // --- Editing the text ----------------------------------------------------------
  // Replace [start, end) with text and select [selStart, selEnd). insertText keeps
  // the browser's undo history; setRangeText is the fallback.
  function replace(area, start, end, text, selStart, selEnd) {
    area.focus();
    area.setSelectionRange(start, end);
    var done = false;
    try { done = document.execCommand("insertText", false, text); } catch (e) { done = false; }
    if (!done || area.value.slice(start, start + text.length) !== text) {
      area.setRangeText(text, start, end, "end");
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
    area.setSelectionRange(selStart, selEnd);
  }

  function wrapInline(area, marker) {
    var s = area.selectionStart, e = area.selectionEnd, v = area.value, m = marker.length;
    var selected = v.slice(s, e);
    if (v.slice(s - m, s) === marker && v.slice(e, e + m) === marker) {  // already wrapped: unwrap
      replace(area, s - m, e + m, selected, s - m, e - m);
      return;
    }
    if (selected.length >= 2 * m && selected.slice(0, m) === marker && selected.slice(-m) === marker) {
      var inner = selected.slice(m, -m);
      replace(area, s, e, inner, s, s + inner.length);
      return;
    }
    if (!selected) {
      replace(area, s, e, marker + marker, s + m, s + m);
      return;
    }
    var lines = selected.split("\n").map(function (line) {  // emphasis never spans lines
      var core = line.trim();
      if (!core) { return line; }
      var lead = line.slice(0, line.indexOf(core));
      return lead + marker + core + marker + line.slice(lead.length + core.length);
    });
    var text = lines.join("\n");
    if (lines.length === 1) {
      var at = s + text.indexOf(marker) + m;
      replace(area, s, e, text, at, at + selected.trim().length);
    } else {
      replace(area, s, e, text, s, s + text.length);
    }
  }

  // The whole lines the selection touches: [start, end).
  function lineSpan(area) {
    var v = area.value, s = area.selectionStart, e = area.selectionEnd;
    if (e > s && v.charAt(e - 1) === "\n") { e -= 1; }
    var start = v.lastIndexOf("\n", s - 1) + 1;
    var end = v.indexOf("\n", e);
    return [start, end < 0 ? v.length : end];
  }

  // The line breaks to add before and after [start, end) so that Markdown reads
  // what is put there as a block of its own (a blank line on each side).
  function asBlock(area, start, end) {
    var before = area.value.slice(0, start), after = area.value.slice(end);
    function gap(text, twoBreaks) {
      if (!text.trim() || twoBreaks.test(text)) { return ""; }
      return /^\n|\n$/.test(text) ? "\n" : "\n\n";
    }
    return [gap(before, /\n\s*\n$/), gap(after, /^\n\s*\n/)];
  }

  function prefixLines(area, kind) {
    var span = lineSpan(area), v = area.value;
    var lines = v.slice(span[0], span[1]).split("\n");
    var pattern = { bullets: /^- /, numbers: /^\d+\. /, quote: /^> ?/ }[kind];
    var filled = lines.filter(function (line) { return line.trim(); });
    var remove = filled.length > 0 && filled.every(function (line) { return pattern.test(line); });
    var n = 0;
    var text = lines.map(function (line) {
      if (remove) { return line.replace(pattern, ""); }
      if (!line.trim() && lines.length > 1) { return kind === "quote" ? ">" : line; }
      n += 1;
      return (kind === "bullets" ? "- " : kind === "numbers" ? n + ". " : "> ") + line;
    }).join("\n");
    var around = remove ? ["", ""] : asBlock(area, span[0], span[1]);
    var start = span[0] + around[0].length;
    var empty = lines.length === 1 && !lines[0].trim();  // a new, empty item: the caret goes after its marker
    replace(area, span[0], span[1], around[0] + text + around[1], empty ? start + text.length : start,
            start + text.length);
  }

  function code(area) {
    var s = area.selectionStart, e = area.selectionEnd, v = area.value;
    var selected = v.slice(s, e);
    var lineStart = v.lastIndexOf("\n", s - 1) + 1;
    var lineEnd = v.indexOf("\n", e) < 0 ? v.length : v.indexOf("\n", e);
    var wholeLines = !v.slice(lineStart, s).trim() && !v.slice(e, lineEnd).trim();
    if (selected.indexOf("\n") < 0 && !(wholeLines && !selected)) {
      var tick = selected.indexOf("`") >= 0 ? "``" : "`";
      var pad = tick.length > 1 ? " " : "";
      if (!selected) {
        replace(area, s, e, tick + tick, s + 1, s + 1);
      } else {
        replace(area, s, e, tick + pad + selected + pad + tick, s + tick.length + pad.length,
                s + tick.length + pad.length + selected.length);
      }
      return;
    }
    var body = selected.replace(/\n$/, "");
    var fence = body.indexOf("```") >= 0 ? "~~~" : "```";
    var text = fence + "\n" + body + "\n" + fence;
    var around = asBlock(area, lineStart, lineEnd);
    var start = lineStart + around[0].length + fence.length + 1;
    replace(area, lineStart, lineEnd, around[0] + text + around[1], start, start + body.length);
  }

  function link(area) {
    var s = area.selectionStart, e = area.selectionEnd;
    var selected = area.value.slice(s, e);
    if (/^https?:\/\/\S+$/.test(selected)) {
      replace(area, s, e, "[](" + selected + ")", s + 1, s + 1);
    } else {
      var text = "[" + selected + "](https://)";
      var at = s + selected.length + 3;
      replace(area, s, e, text, at, at + "https://".length);
    }
  }

  function mention(area) {
    var s = area.selectionStart, e = area.selectionEnd, v = area.value;
    var text = (s > 0 && !/\s/.test(v.charAt(s - 1)) ? " " : "") + "@";
    replace(area, s, e, text, s + text.length, s + text.length);
  }

  // --- Images: dropped, pasted or picked with the image button ---------------------
  // The server keeps an attachment's name as uploads.safe_filename makes it; the
  // files get that name here, so ![…](images/name) finds them once the post is saved.
  function safeName(file, taken) {
    var extension = IMAGE_TYPES[file.type];
    var name = (file.name || "").normalize("NFKC").replace(/\\/g, "/").split("/").pop();
    var stem = name.lastIndexOf(".") > 0 ? name.slice(0, name.lastIndexOf(".")) : name;
    stem = stem.replace(/[^\p{L}\p{N}_.\- ]+/gu, "").replace(/^[ .-]+|[ .-]+$/g, "").slice(0, 70) || "image";
    var candidate = stem + "." + extension, n = 1;
    while (taken[candidate]) { n += 1; candidate = stem + "-" + n + "." + extension; }
    return candidate;
  }

  // Files join the attachment field (posted with the form, as picked files are);
  // each image also gets its Markdown reference at the caret.
  function setupImages(area, input, pending, refresh) {
    function add(files, keep) {
      var list = new DataTransfer();
      (keep || Array.prototype.slice.call(input.files || [])).forEach(function (f) { list.items.add(f); });
      var taken = {};
      Array.prototype.forEach.call(list.files, function (f) { taken[f.name] = true; });
      var refs = [];
      files.forEach(function (file) {
        if (!IMAGE_TYPES[file.type]) { list.items.add(file); return; }
        var name = safeName(file, taken);
        taken[name] = true;
        var renamed = new File([file], name, { type: file.type, lastModified: file.lastModified });
        list.items.add(renamed);
        var reader = new FileReader();
        reader.onload = function () { pending[name] = reader.result; refresh(); };
        reader.readAsDataURL(renamed);
        refs.push("![" + name.replace(/\.[a-z]+$/, "").replace(/[\[\]\\]/g, "") + "](images/" +
                  encodeURIComponent(name) + ")");
      });
      input.files = list.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));  // the size check in hub.js
      if (!refs.length) { return; }
      var s = area.selectionStart, e = area.selectionEnd, v = area.value;
      var text = (s > 0 && v.charAt(s - 1) !== "\n" ? "\n" : "") + refs.join("\n") + "\n";
      replace(area, s, e, text, s + text.length, s + text.length);
    }

    area.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        area.classList.add("dropping");
      }
    });
    area.addEventListener("dragleave", function () { area.classList.remove("dropping"); });
    area.addEventListener("drop", function (event) {
      area.classList.remove("dropping");
      var files = event.dataTransfer ? Array.prototype.slice.call(event.dataTransfer.files || []) : [];
      if (files.length) {
        event.preventDefault();
        add(files);
      }
    });
    area.addEventListener("paste", function (event) {
      var files = event.clipboardData ? Array.prototype.slice.call(event.clipboardData.files || []) : [];
      if (files.some(function (f) { return IMAGE_TYPES[f.type]; })) {  // pasted text stays the browser's
        event.preventDefault();
        add(files);
      }
    });

    var before = null;  // the files chosen so far, while the picker is open
    input.addEventListener("change", function () {
      if (!before) { return; }
      var kept = before;
      before = null;
      add(Array.prototype.slice.call(input.files || []), kept);
    });
    input.addEventListener("cancel", function () { before = null; });
    return function pick() {
      before = Array.prototype.slice.call(input.files || []);
      input.click();
    };
  }

  // --- Live preview ----------------------------------------------------------------
  function setupPreview(area, section, pending) {
    var url = area.getAttribute("data-preview");
    var base = area.getAttribute("data-images-base") || "";
    var box = section.querySelector(".live-preview-body");
    var status = section.querySelector(".live-preview-status");
    var token = area.form && area.form.querySelector("input[name=csrf_token]");
    var timer = null, sent = 0, shown = 0, last = null;

    function show(html, number) {
      if (number < shown) { return; }
      shown = number;
      // Parsed in an inert document first: images point at the right place before they load.
      var doc = new DOMParser().parseFromString("<div>" + html + "</div>", "text/html");
      Array.prototype.forEach.call(doc.querySelectorAll("img"), function (img) {
        var src = img.getAttribute("src") || "";
        if (src.indexOf("images/") !== 0) { return; }
        var name = decodeURIComponent(src.slice(7));
        if (pending[name]) { img.setAttribute("src", pending[name]); } else if (base) { img.setAttribute("src", base + src.slice(7)); }
      });
      box.textContent = "";
      Array.prototype.forEach.call(doc.body.firstChild.childNodes, function (node) {
        box.appendChild(document.importNode(node, true));
      });
      status.textContent = "";
    }

    function render() {
      var text = area.value;
      if (text === last) { return; }
      last = text;
      var number = ++sent;
      if (!text.trim()) { show("", number); return; }
      var data = new FormData();
      data.append("body", text);
      if (token) { data.append("csrf_token", token.value); }
      fetch(url, { method: "POST", body: data, credentials: "same-origin",
                   headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" } })
        .then(function (response) {
          return response.json().then(function (json) {
            if (!response.ok) { throw new Error(json.message || json.error || response.status); }
            return json;
          });
        })
        .then(function (json) { show(json.html || "", number); })
        .catch(function () {
          last = null;  // try again after the next change
          status.textContent = status.getAttribute("data-failed");
        });
    }

    section.hidden = false;
    section.parentNode.classList.add("has-preview");
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, 400);
    });
    render();
    return function refresh() { last = null; render(); };
  }

  // --- Toolbar ---------------------------------------------------------------------
  function setup(area) {
    var field = area.closest(".editor");
    var toolbar = field && field.querySelector(".editor-toolbar");
    var section = area.closest(".editor-panes") && area.closest(".editor-panes").querySelector(".live-preview");
    var input = area.form && area.form.querySelector("input[type=file][name=attachments]");
    var pending = {};  // name -> data: URL of images not uploaded yet, for the preview
    var refresh = section && window.fetch && window.DOMParser ? setupPreview(area, section, pending) : function () {};
    var pick = input && window.DataTransfer ? setupImages(area, input, pending, refresh) : null;
    if (!toolbar) { return; }
    var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button[data-action]"));
    var actions = {
      bold: function () { wrapInline(area, "**"); },
      italic: function () { wrapInline(area, "_"); },
      strike: function () { wrapInline(area, "~~"); },
      link: function () { link(area); },
      bullets: function () { prefixLines(area, "bullets"); },
      numbers: function () { prefixLines(area, "numbers"); },
      quote: function () { prefixLines(area, "quote"); },
      code: function () { code(area); },
      mention: function () { mention(area); },
      image: function () { if (pick) { pick(); } }
    };
    if (!pick) {
      buttons = buttons.filter(function (b) {
        if (b.getAttribute("data-action") !== "image") { return true; }
        b.parentNode.removeChild(b);
        return false;
      });
    }
    toolbar.hidden = false;
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) { return; }
      var action = actions[button.getAttribute("data-action")];
      if (action) { action(); }
    });
    // One tab stop for the toolbar; arrow keys move between its buttons.
    toolbar.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      if (index < 0) { return; }
      var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (next === undefined) { return; }
      event.preventDefault();
      next = (next + buttons.length) % buttons.length;
      buttons.forEach(function (b, i) { b.tabIndex = i === next ? 0 : -1; });
      buttons[next].focus();
    });
    area.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) { return; }
      var key = event.key.toLowerCase();
      if (key === "b" || key === "i") {
        event.preventDefault();
        actions[key === "b" ? "bold" : "italic"]();
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-preview]"), setup);

  // --- Quoting what a member selected in a post ------------------------------------
  // "Quote" on a post quotes the whole post (forum.js). With part of that post
  // selected, it quotes that part: the selection is turned back into the Markdown it
  // came from (code blocks stay fenced code blocks) under the server's quote header.
  function inline(node) {
    var out = "";
    Array.prototype.forEach.call(node.childNodes, function (child) { out += toMarkdown(child, false); });
    return out;
  }

  function toMarkdown(node, block) {
    if (node.nodeType === 3) { return node.nodeValue.replace(/\n/g, block ? "\n" : " "); }
    if (node.nodeType !== 1 && node.nodeType !== 11) { return ""; }
    var tag = node.nodeType === 11 ? "#fragment" : node.tagName.toLowerCase();
    var text;
    switch (tag) {
      case "br": return "\n";
      case "strong": case "b": return "**" + inline(node) + "**";
      case "em": case "i": return "_" + inline(node) + "_";
      case "del": case "s": return "~~" + inline(node) + "~~";
      case "code": return "`" + node.textContent + "`";
      case "pre": return fenced(node.textContent, node.querySelector("code")) + "\n\n";
      case "img": return "![" + (node.getAttribute("alt") || "") + "](" + (node.getAttribute("src") || "") + ")";
      case "a":
        text = inline(node);
        if (/^@/.test(text) && /\/forum\/members\//.test(node.getAttribute("href") || "")) {
          return "@[" + text.slice(1) + "]";  // a mention: written as the editor writes it
        }
        return "[" + text + "](" + (node.getAttribute("href") || "") + ")";
      case "p": case "div": case "h1": case "h2": case "h3": case "h4": case "h5": case "h6":
        text = tag.charAt(0) === "h" && tag.length === 2 ? "#".repeat(+tag.charAt(1)) + " " : "";
        return text + inline(node).trim() + "\n\n";
      case "blockquote":
        return blocks(node).trim().split("\n").map(function (l) { return ("> " + l).replace(/\s+$/, ""); }).join("\n") + "\n\n";
      case "ul": case "ol":
        var n = 0;
        return Array.prototype.map.call(node.children, function (li) {
          n += 1;
          return (tag === "ol" ? n + ". " : "- ") + blocks(li).trim().replace(/\n/g, "\n   ");
        }).join("\n") + "\n\n";
      case "li": return "- " + blocks(node).trim() + "\n";
      case "hr": return "---\n\n";
      default: return blocks(node);
    }
  }

  function blocks(node) {
    var out = "";
    Array.prototype.forEach.call(node.childNodes, function (child) { out += toMarkdown(child, true); });
    return out;
  }

  function fenced(code, element) {
    var match = element && /language-([\w#+.-]+)/.exec(element.className || "");
    var fence = code.indexOf("```") >= 0 ? "~~~" : "```";
    return fence + (match ? match[1] : "") + "\n" + code.replace(/\n$/, "") + "\n" + fence;
  }

  function selectedMarkdown(post) {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { return null; }
    var range = selection.getRangeAt(0);
    var body = post.querySelector(".post-body");
    if (!body || !body.contains(range.commonAncestorContainer)) { return null; }
    var container = range.commonAncestorContainer.nodeType === 1
      ? range.commonAncestorContainer : range.commonAncestorContainer.parentNode;
    var pre = container.closest("pre");
    var markdown;
    if (pre && body.contains(pre)) {
      markdown = fenced(range.toString(), pre.querySelector("code"));
    } else if (container.closest("code") && body.contains(container.closest("code"))) {
      markdown = "`" + range.toString() + "`";
    } else {
      markdown = blocks(range.cloneContents());
    }
    markdown = markdown.replace(/\n{3,}/g, "\n\n").trim();
    return markdown || null;
  }

  // Keep the selection when the "Quote" link is pressed (a press elsewhere clears it).
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest("a[data-quote]") && !window.getSelection().isCollapsed) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-quote]");
    var box = document.querySelector("#reply-form textarea[name=body]");
    var post = link && link.closest("article.post");
    if (!link || !box || !post || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var part = selectedMarkdown(post);
    if (!part) { return; }  // no selection in this post: forum.js quotes the whole post
    event.preventDefault();
    event.stopImmediatePropagation();
    fetch(link.href, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        var source = new DOMParser().parseFromString(html, "text/html").querySelector("textarea[name=body]");
        if (!source) { throw new Error("no quote"); }
        var header = source.value.split("\n").slice(0, 2).join("\n");  // "> **[Name](link) wrote:**" and ">"
        var quoted = part.split("\n").map(function (l) { return ("> " + l).replace(/\s+$/, ""); }).join("\n");
        var current = box.value.replace(/\s+$/, "");
        box.value = (current ? current + "\n\n" : "") + header + "\n" + quoted + "\n\n";
        box.dispatchEvent(new Event("input", { bubbles: true }));
        box.focus();
        box.setSelectionRange(box.value.length, box.value.length);
        box.scrollIntoView({ block: "center" });
        window.getSelection().removeAllRanges();
      })
      .catch(function () { window.location.href = link.href; });
  }, true);
})();
