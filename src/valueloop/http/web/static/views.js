/* Saved views: save this page's current filters (its query string) under a name asked in the dialog,
   delete one; applying one is a plain link. The API keeps them per user (/api/v1/views). */
(function () {
  var bar = document.getElementById("saved-views");
  if (!bar) return;
  var text = vl.text("views-text");
  function current() { return window.location.search.replace(/^\?/, ""); }
  bar.addEventListener("click", function (ev) {
    var del = ev.target.closest("button.view-delete");
    if (del) {
      del.disabled = true;
      vl.api("DELETE", "/api/v1/views/" + del.dataset.view)
        .then(function () { document.getElementById("view-" + del.dataset.view).remove(); })
        .catch(function (err) {
          del.disabled = false;
          var box = document.getElementById("views-error");
          box.textContent = text.failed + ": " + err.message;
          box.hidden = false;
        });
      return;
    }
    if (!ev.target.closest("#view-save")) return;
    vl.ask({
      title: text.title, label: text.label, ok: text.ok, cancel: text.cancel, failed: text.failed, required: true,
      submit: function (name) { return vl.api("POST", "/api/v1/views", { page: bar.dataset.page, name: name, query: current() }); }
    }).then(function (saved) { if (saved) window.location.reload(); });
  });
})();
