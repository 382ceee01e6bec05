/* Calls to the JSON API from a signed-in page: the session cookie plus the page's CSRF token. */
window.vl = window.vl || {};
vl.csrf = function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
};
/* Resolves with the parsed JSON body; rejects with the API's error message ({"error": {"message"}}). */
vl.api = function (method, url, body) {
  var init = { method: method, credentials: "same-origin", headers: { "X-CSRF-Token": vl.csrf() } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  return fetch(url, init).then(function (resp) {
    return resp.json().catch(function () { return {}; }).then(function (data) {
      if (resp.ok) return data;
      var err = data && data.error;
      throw new Error(err ? err.message : resp.status + " " + resp.statusText);
    });
  });
};
vl.text = function (id) {
  var node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
};
