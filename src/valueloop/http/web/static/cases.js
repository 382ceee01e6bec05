/* Case board: close a case with its call-back outcome and root cause, or turn this month's recurring root causes
   into improvement actions, through the API; then show the board again. */
(function () {
  var text = vl.text("cases-text");
  document.addEventListener("submit", function (ev) {
    var form = ev.target.closest("form.case-close, form.case-rollup");
    if (!form) return;
    ev.preventDefault();
    var f = form.elements, button = form.querySelector("button"), url, body;
    if (form.classList.contains("case-rollup")) {
      url = "/api/v1/cases/rollup";
      body = { month: form.dataset.month, min_cases: Number(form.dataset.min), owner: f.owner.value,
               department: f.department.value };
    } else {
      url = "/api/v1/cases/" + form.dataset.case + "/close";
      body = { outcome: f.outcome.value, root_cause: f.root_cause.value, note: f.note.value };
    }
    button.disabled = true;
    vl.api("POST", url, body)
      .then(function () { window.location.reload(); })
      .catch(function (err) {
        button.disabled = false;
        var box = document.getElementById("case-error");
        box.textContent = text.failed + ": " + err.message;
        box.hidden = false;
      });
  });
})();
