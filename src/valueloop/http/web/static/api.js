/* Calls to the JSON API from a signed-in page: the session cookie plus the page's CSRF token. */
window.vl = window.vl || {};
vl.csrf = function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
};
/* Resolves with the parsed JSON body; rejects with the API's error message ({"error": {"message"}}). */
vl.api = function (method, url, body) {
  var init = { method: method, credentials: "same-origin", headers: { "X-CSRF-Token": vl.csrf() } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  return fetch(url, init).then(function (resp) {
    return resp.json().catch(function () { return {}; }).then(function (data) {
      if (resp.ok) return data;
      var err = data && data.error;
      throw new Error(err ? err.message : resp.status + " " + resp.statusText);
    });
  });
};
vl.text = function (id) {
  var node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
};
/* An in-page dialog asking for one text (a reason, a comment) instead of window.prompt():
   a native modal <dialog> (focus stays inside, Esc cancels, the opener gets the focus back), labelled
   by its title, in the page's language. o = {title, label, detail?, ok, cancel, required, submit(text) → Promise}.
   The dialog stays open while submit runs; a refusal is shown inside it, so the text typed is not lost.
   Resolves with submit's result, or null when cancelled. */
vl.ask = function (o) {
  return new Promise(function (resolve) {
    var opener = document.activeElement, done = false, n = (vl.ask.count = (vl.ask.count || 0) + 1);
    function el(tag, props, kids) {
      var node = document.createElement(tag);
      Object.keys(props || {}).forEach(function (k) { node[k] = props[k]; });
      (kids || []).forEach(function (kid) { if (kid) node.append(kid); });
      return node;
    }
    var field = el("textarea", { id: "ask-text-" + n, name: "text", rows: 3, maxLength: 2000, required: !!o.required });
    var error = el("p", { className: "error", hidden: true });
    error.setAttribute("role", "alert");
    var ok = el("button", { type: "submit", className: "primary", textContent: o.ok });
    var cancel = el("button", { type: "button", className: "secondary", textContent: o.cancel });
    var title = el("h2", { id: "ask-title-" + n, textContent: o.title });
    var form = el("form", { method: "dialog", className: "stack" }, [
      title, o.detail ? el("p", { className: "muted", textContent: o.detail }) : null,
      el("label", { htmlFor: field.id }, [o.label, field]), error, el("div", { className: "buttons" }, [ok, cancel])
    ]);
    var dialog = el("dialog", { className: "ask" }, [form]);
    dialog.setAttribute("aria-labelledby", title.id);
    function finish(value) {
      if (done) return;
      done = true;
      if (dialog.open) dialog.close();
      dialog.remove();
      if (opener && opener.focus && document.contains(opener)) opener.focus();
      resolve(value);
    }
    cancel.addEventListener("click", function () { finish(null); });
    dialog.addEventListener("close", function () { finish(null); });  /* Esc, or the form closing it */
    field.addEventListener("keydown", function (ev) {  /* Ctrl/⌘+Enter sends, Enter alone starts a new line */
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); form.requestSubmit(); }
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var text = field.value.trim();
      if (o.required && !text) { field.value = ""; field.reportValidity(); return; }
      ok.disabled = true;
      error.hidden = true;
      Promise.resolve(o.submit(text)).then(finish, function (err) {
        ok.disabled = false;
        error.textContent = (o.failed ? o.failed + ": " : "") + err.message;
        error.hidden = false;
        field.focus();
      });
    });
    document.body.append(dialog);
    dialog.showModal();
    field.focus();
  });
};
