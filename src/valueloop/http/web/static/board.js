/* Actions board: move a card to one of its allowed next states, with a reason asked in an in-page dialog;
   the API judges the move and a refusal is shown in the dialog. */
(function () {
  var text = vl.text("board-text");
  window.vlBoard = {
    /* Ask for the reason of moving action `id` to `to` and send it; resolves true once moved, null if cancelled. */
    move: function (id, to, label) {
      return vl.ask({
        title: text.title + " #" + id, detail: label || null, label: text.reason, ok: text.ok, cancel: text.cancel,
        failed: text.failed, required: true,
        submit: function (reason) {
          return vl.api("POST", "/api/v1/actions/" + id + "/moves", { to: to, reason: reason }).then(function () { return true; });
        }
      });
    }
  };
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button.move");
    if (!btn) return;
    vlBoard.move(btn.dataset.action, btn.dataset.to, btn.textContent.trim()).then(function (moved) {
      if (moved) window.location.reload();
    });
  });
})();
