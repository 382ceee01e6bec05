/* Create an action from a finding: a small form (owner, department), POST /api/v1/actions with from_finding,
   then the new action's page. The API fills in the title, links and target from the finding. */
(function () {
  var text = vl.text("finding-text");
  var dialog = document.getElementById("finding-dialog");
  var form = document.getElementById("finding-form");
  var box = document.getElementById("finding-error");
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button.from-finding");
    if (!btn) return;
    form.finding.value = btn.dataset.finding;
    document.getElementById("finding-ref").textContent = btn.dataset.label;
    box.hidden = true;
    dialog.showModal();
  });
  document.getElementById("finding-cancel").addEventListener("click", function () { dialog.close(); });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var submit = document.getElementById("finding-submit");
    var body = { from_finding: form.finding.value, owner: form.owner.value.trim(), department: form.department.value.trim() };
    submit.disabled = true;
    vl.api("POST", "/api/v1/actions", body)
      .then(function (created) { window.location.assign("/actions/" + created.action_id); })
      .catch(function (err) {
        submit.disabled = false;
        box.textContent = text.failed + ": " + err.message;
        box.hidden = false;
      });
  });
})();
