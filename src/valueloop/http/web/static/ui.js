/* Every page: label each table cell with its column's header, so that on a phone (CSS below 600 px)
   a table reads as one card per row ("Unit: Chengdu …") instead of scrolling sideways. Runs again
   after htmx swaps part of a page. Tables of inputs (the AHP matrix) keep their grid and scroll. */
(function () {
  function headerRow(table) {
    var head = table.querySelector("thead tr");
    if (head) return head;
    var first = table.querySelector("tr");
    return first && first.cells.length && Array.prototype.every.call(first.cells, function (c) { return c.tagName === "TH"; })
      ? first : null;
  }
  function label(root) {
    (root || document).querySelectorAll("main table:not(.matrix):not(.stacked)").forEach(function (table) {
      var head = headerRow(table);
      if (!head) return;
      var names = [];
      Array.prototype.forEach.call(head.cells, function (c) {
        for (var i = 0; i < (c.colSpan || 1); i++) names.push(c.textContent.trim());
      });
      head.classList.add("head");
      Array.prototype.forEach.call(table.rows, function (row) {
        if (row === head) return;
        var at = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (names[at] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", names[at]);
          at += cell.colSpan || 1;
        });
      });
      table.classList.add("stacked");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { label(document); });
  /* htmx's hx-confirm asks in an in-page modal dialog instead of window.confirm(): Esc or Cancel keeps things */
  document.addEventListener("htmx:confirm", function (ev) {
    if (!ev.detail.question) return;
    ev.preventDefault();
    var node = document.getElementById("ui-text");
    var words = node ? JSON.parse(node.textContent) : { ok: "OK", cancel: "Cancel" };
    var dialog = document.createElement("dialog"), text = document.createElement("p");
    var ok = document.createElement("button"), cancel = document.createElement("button"), row = document.createElement("div");
    dialog.className = "ask";
    text.id = "confirm-text";
    text.textContent = ev.detail.question;
    dialog.setAttribute("aria-labelledby", text.id);
    ok.type = cancel.type = "button";
    ok.className = "primary";
    ok.textContent = words.ok;
    cancel.textContent = words.cancel;
    row.className = "buttons";
    row.append(ok, cancel);
    dialog.append(text, row);
    var opener = document.activeElement;
    function done(go) {
      if (dialog.open) dialog.close();
      dialog.remove();
      if (opener && opener.focus) opener.focus();
      if (go) ev.detail.issueRequest(true);
    }
    ok.addEventListener("click", function () { done(true); });
    cancel.addEventListener("click", function () { done(false); });
    dialog.addEventListener("cancel", function (e) { e.preventDefault(); done(false); });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();  /* the safe choice has the focus: Enter alone does not disable a user */
  });
  document.addEventListener("htmx:afterSettle", function (ev) { label(ev.target.closest ? ev.target.closest("main") || document : document); });
})();
