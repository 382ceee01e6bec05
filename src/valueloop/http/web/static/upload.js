/* Upload page: POST the chosen files (multipart) to /api/v1/ingest/{dataset}; show the summary or the refusal. */
(function () {
  var text = vl.text("upload-text");
  var form = document.getElementById("upload-form");
  var SHOWN_ERRORS = 10;
  function el(id) { return document.getElementById(id); }
  function fail(message) {
    el("upload-error-message").textContent = message;
    el("upload-error").hidden = false;
  }
  /* the API's reasons are English with the value inlined: word the known ones in the page's language */
  var reasons = (text.reasons || []).map(function (r) { return [new RegExp(r[0]), r[1]]; });
  function reason(raw) {
    for (var i = 0; i < reasons.length; i++) {
      var m = reasons[i][0].exec(raw);
      if (m) return reasons[i][1].replace(/\{(\d+)\}/g, function (_, n) { return m[+n]; });
    }
    return raw;
  }
  function number(n) { return Number(n).toLocaleString(document.documentElement.lang); }
  function show(summary) {
    el("result-dataset").textContent = summary.dataset;
    ["read", "stored", "updated", "duplicates", "quarantined"].forEach(function (k) {
      el("result-" + k).textContent = number(summary[k]);
    });
    el("result-batch").textContent = summary.batch_id;
    var rows = el("result-error-rows");
    rows.textContent = "";
    summary.errors.slice(0, SHOWN_ERRORS).forEach(function (e) {
      var tr = rows.insertRow();
      /* the API names the server's temporary copy ("/tmp/…/0-name.csv"): show the uploaded name */
      [e.file.split(/[\\/]/).pop().replace(/^\d+-/, ""), number(e.row), e.field, reason(e.reason)].forEach(function (v, i) {
        var td = tr.insertCell();
        td.textContent = v;
        if (i === 1) td.className = "num";
      });
    });
    el("result-errors-total").textContent = number(summary.errors_total);
    el("result-errors").hidden = summary.errors_total === 0;
    el("upload-result").hidden = false;
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    el("upload-error").hidden = true;
    el("upload-result").hidden = true;
    var files = el("upload-files").files;
    if (!files.length) { fail(text.choose); return; }
    var body = new FormData();
    for (var i = 0; i < files.length; i++) body.append("files", files[i], files[i].name);
    el("upload-submit").disabled = true;
    el("upload-status").textContent = text.working;
    fetch("/api/v1/ingest/" + encodeURIComponent(el("upload-dataset").value),
          { method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": vl.csrf() }, body: body })
      .then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (data) {
          if (resp.ok) { show(data); return; }
          var err = data && data.error;
          fail(err ? err.message : resp.status + " " + resp.statusText);
        });
      })
      .catch(function (err) { fail(err.message); })
      .then(function () { el("upload-submit").disabled = false; el("upload-status").textContent = ""; });
  });
})();
