/* AHP editor: judgements above the diagonal (1–9 or 1/2–1/9), reciprocals filled in below;
   weights and CR come from POST /api/v1/weights/ahp as the user types. */
(function () {
  var data = vl.text("ahp-data");
  var table = document.getElementById("ahp-matrix");
  var select = document.getElementById("ahp-set");
  var seq = 0, timer = null;

  function fmt(x) {
    if (x >= 1) return String(Math.round(x * 100) / 100);
    return "1/" + String(Math.round(100 / x) / 100);
  }
  function parse(text) {
    var s = String(text).trim(), v;
    if (s.indexOf("/") >= 0) {
      var parts = s.split("/");
      v = parseFloat(parts[0]) / parseFloat(parts[1]);
    } else {
      v = parseFloat(s);
    }
    return isFinite(v) && v >= 1 / 9 - 1e-9 && v <= 9 + 1e-9 ? v : null;
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function build() {
    var set = data.sets[Number(select.value)], n = set.criteria.length;
    table.innerHTML = "";
    var head = el("tr");
    head.appendChild(el("th"));
    set.criteria.forEach(function (c) { head.appendChild(el("th", {}, c)); });
    table.appendChild(head);
    for (var i = 0; i < n; i++) {
      var row = el("tr");
      row.appendChild(el("th", {}, set.criteria[i]));
      for (var j = 0; j < n; j++) {
        var td = el("td", { "class": "num" });
        if (i === j) td.textContent = "1";
        else if (i < j) {
          var given = set.matrix ? set.matrix[i][j] : 1;
          td.appendChild(el("input", { "class": "ahp-cell", id: "ahp-" + i + "-" + j, "data-i": i, "data-j": j,
            value: fmt(given), size: 4, inputmode: "decimal" }));
        } else td.appendChild(el("span", { "class": "muted", id: "ahp-" + i + "-" + j }));
        row.appendChild(td);
      }
      table.appendChild(row);
    }
    update();
  }
  function matrix() {
    var n = data.sets[Number(select.value)].criteria.length, a = [], bad = [];
    for (var i = 0; i < n; i++) { a.push([]); for (var j = 0; j < n; j++) a[i].push(1); }
    table.querySelectorAll("input.ahp-cell").forEach(function (input) {
      var i = Number(input.dataset.i), j = Number(input.dataset.j), v = parse(input.value);
      input.classList.toggle("bad", v === null);
      if (v === null) { bad.push(input.value); return; }
      a[i][j] = v; a[j][i] = 1 / v;
      document.getElementById("ahp-" + j + "-" + i).textContent = fmt(1 / v);
    });
    return bad.length ? null : a;
  }
  function error(message) {
    var box = document.getElementById("ahp-error");
    box.textContent = message || "";
    box.hidden = !message;
  }
  function show(r) {
    var cr = document.getElementById("ahp-cr");
    cr.textContent = r.cr.toFixed(3);
    cr.classList.toggle("bad", r.cr > r.threshold);
    document.getElementById("ahp-result").classList.toggle("inconsistent", r.cr > r.threshold);
    document.getElementById("ahp-verdict").textContent = r.cr > r.threshold ? data.inconsistent : data.consistent;
    document.getElementById("ahp-lambda").textContent = r.lambda_max.toFixed(3);
    document.getElementById("ahp-ci").textContent = r.ci.toFixed(3);
    var out = document.getElementById("ahp-weights");
    out.innerHTML = "";
    var head = el("tr");
    head.appendChild(el("th", {}, data.criterion));
    head.appendChild(el("th", { "class": "num" }, data.weight));
    out.appendChild(head);
    r.criteria.forEach(function (c, k) {
      var row = el("tr");
      row.appendChild(el("td", {}, c));
      row.appendChild(el("td", { "class": "num" }, (r.weights[k] * 100).toFixed(1) + "%"));
      out.appendChild(row);
    });
  }
  function update() {
    var a = matrix();
    if (!a) { error(data.bad_cell); return; }
    error("");
    var mine = ++seq, criteria = data.sets[Number(select.value)].criteria;
    vl.api("POST", "/api/v1/weights/ahp", { matrix: a, criteria: criteria })
      .then(function (r) { if (mine === seq) show(r); })
      .catch(function (err) { if (mine === seq) error(err.message); });
  }
  table.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 120); });
  select.addEventListener("change", build);
  build();
})();
