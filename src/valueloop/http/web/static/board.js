/* Actions board: move a card to one of its allowed next states, with a reason asked in an in-page dialog;
   the API judges the move and a refusal is shown in the dialog. On the board a card can also be dragged
   to a column (HTML5 drag and drop); the buttons on each card are the keyboard's way to the same move. */
(function () {
  var text = vl.text("board-text");
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }
  function show(message) {
    var box = document.getElementById("board-error");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  }
  /* Ask for the reason of moving action `id` to `to` and send it; resolves true once moved, null if cancelled. */
  function move(id, to, label) {
    return vl.ask({
      title: text.title + " #" + id, detail: label || null, label: text.reason, ok: text.ok, cancel: text.cancel,
      failed: text.failed, required: true,
      submit: function (reason) {
        return vl.api("POST", "/api/v1/actions/" + id + "/moves", { to: to, reason: reason }).then(function () { return true; });
      }
    });
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button.move");
    if (!btn) return;
    move(btn.dataset.action, btn.dataset.to, btn.textContent.trim()).then(function (moved) {
      if (moved) window.location.reload();
    });
  });

  var board = document.getElementById("board");
  if (!board) return;
  var dragged = null;
  function state(s) { return (text.states && text.states[s]) || s; }
  function allowed(card, to) { return (card.dataset.moves || "").split(" ").indexOf(to) >= 0; }
  function clear() {
    board.querySelectorAll(".col.drop-ok, .col.drop-no").forEach(function (c) { c.classList.remove("drop-ok", "drop-no"); });
  }
  board.addEventListener("dragstart", function (ev) {
    var card = ev.target.closest && ev.target.closest(".ticket[draggable=true]");
    if (!card) return;
    dragged = card;
    ev.dataTransfer.effectAllowed = "move";
    ev.dataTransfer.setData("text/plain", card.dataset.action);
    card.classList.add("dragging");
  });
  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clear();
  });
  board.addEventListener("dragover", function (ev) {
    var col = ev.target.closest(".col");
    if (!dragged || !col || col.dataset.status === dragged.dataset.status) return;
    ev.preventDefault();  /* every column takes the drop: a refused one answers with a message, not silence */
    clear();
    var ok = allowed(dragged, col.dataset.status);
    col.classList.add(ok ? "drop-ok" : "drop-no");
    ev.dataTransfer.dropEffect = "move";  /* not "none": that would cancel the drop and with it the message */
  });
  board.addEventListener("drop", function (ev) {
    var col = ev.target.closest(".col");
    var card = dragged;
    if (!card || !col) return;
    ev.preventDefault();
    clear();
    var from = card.dataset.status, to = col.dataset.status;
    if (from === to) return;
    if (!allowed(card, to)) {  /* the card stays where it was, and the board says why */
      var next = (card.dataset.moves || "").split(" ").filter(Boolean).map(state).join("、");
      show(next ? fill(text.refused, { from: state(from), to: state(to), next: next }) : fill(text.final, { from: state(from) }));
      card.focus();
      return;
    }
    document.getElementById("board-error").hidden = true;
    var home = card.parentNode, after = card.nextSibling;
    col.append(card);  /* shown in its new column while the reason is asked; back home if cancelled or refused */
    move(card.dataset.action, to, state(from) + " → " + state(to)).then(function (moved) {
      if (moved) { window.location.reload(); return; }
      home.insertBefore(card, after);
    });
  });
})();
