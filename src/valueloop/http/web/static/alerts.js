/* Alerts page: acknowledge, add and end silences through the API; reload when the live feed reports a change. */
(function () {
  var text = vl.text("alerts-text");
  function show(message) {
    var box = document.getElementById("alert-error");
    box.textContent = text.failed + ": " + message;
    box.hidden = false;
  }
  function reload() { window.location.reload(); }
  document.addEventListener("click", function (ev) {
    var ack = ev.target.closest("button.ack");
    if (ack) {
      vl.ask({
        title: text.title, detail: ack.dataset.label || null, label: text.comment, ok: text.ok, cancel: text.cancel,
        failed: text.failed, required: false,
        submit: function (comment) { return vl.api("POST", "/api/v1/alerts/" + ack.dataset.alert + "/ack", { comment: comment }); }
      }).then(function (done) { if (done) reload(); });
      return;
    }
    var end = ev.target.closest("button.unsilence");
    if (end) {
      vl.api("DELETE", "/api/v1/silences/" + end.dataset.silence).then(reload).catch(function (err) { show(err.message); });
    }
  });
  var form = document.getElementById("silence-form");
  if (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = form.elements, matchers = {};
      f.matchers.value.trim().split(/\s+/).forEach(function (pair) {
        var i = pair.indexOf("=");
        if (i > 0) matchers[pair.slice(0, i)] = pair.slice(i + 1);
      });
      var body = { matchers: matchers, comment: f.comment.value };
      if (f.minutes.value) body.minutes = parseInt(f.minutes.value, 10);
      if (f.days.value || f.start.value || f.end.value) {
        body.schedule = {};
        if (f.days.value) body.schedule.days = f.days.value.split(",").map(function (d) { return d.trim().toLowerCase(); });
        if (f.start.value) body.schedule.start = f.start.value;
        if (f.end.value) body.schedule.end = f.end.value;
      }
      vl.api("POST", "/api/v1/silences", body).then(reload).catch(function (err) { show(err.message); });
    });
  }
  if (window.EventSource) {
    var feed = new EventSource("/api/v1/alerts-stream");
    feed.onopen = function () { document.getElementById("live").hidden = false; };
    feed.onmessage = function () { feed.close(); reload(); };
  }
})();
