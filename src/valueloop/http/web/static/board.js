/* Actions board: move a card to one of its allowed next states, with a reason; the API judges the move. */
(function () {
  var text = vl.text("board-text");
  function show(message) {
    var box = document.getElementById("board-error");
    box.textContent = text.failed + ": " + message;
    box.hidden = false;
  }
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button.move");
    if (!btn) return;
    var reason = window.prompt(text.reason, "");
    if (reason === null) return;
    btn.disabled = true;
    vl.api("POST", "/api/v1/actions/" + btn.dataset.action + "/moves", { to: btn.dataset.to, reason: reason })
      .then(function () { window.location.reload(); })
      .catch(function (err) { btn.disabled = false; show(err.message); });
  });
})();
