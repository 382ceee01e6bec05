/* Reports page: generate a period review through the API, then show it in the list. */
(function () {
  var text = vl.text("report-text");
  var form = document.getElementById("report-form");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var box = document.getElementById("report-error"), status = document.getElementById("report-status");
    var body = { period: form.period.value.trim(), format: form.format.value, lang: form.lang.value };
    box.hidden = true;
    status.textContent = text.working;
    form.querySelector("button").disabled = true;
    vl.api("POST", "/api/v1/reports", body)
      .then(function () { window.location.reload(); })
      .catch(function (err) {
        status.textContent = "";
        form.querySelector("button").disabled = false;
        box.textContent = text.failed + ": " + err.message;
        box.hidden = false;
      });
  });
})();
