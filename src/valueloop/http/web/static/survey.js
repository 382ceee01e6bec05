// Conditional questions on the public survey page: a fieldset with data-show-question is shown only while
// the answer to that question meets its test. Without JavaScript every question shows and the server
// drops answers to questions whose condition is not met.
(function () {
  "use strict";
  var form = document.querySelector("form.survey-form");
  if (!form) return;
  function answers(name) {
    return Array.prototype.map.call(form.querySelectorAll('input[name="q.' + name + '"]:checked'), function (i) {
      return i.value;
    });
  }
  function meets(fs) {
    var got = answers(fs.dataset.showQuestion);
    if (!got.length) return false;
    var n = parseInt(got[0], 10);
    if (fs.dataset.atMost !== undefined && !(n <= parseInt(fs.dataset.atMost, 10))) return false;
    if (fs.dataset.atLeast !== undefined && !(n >= parseInt(fs.dataset.atLeast, 10))) return false;
    if (fs.dataset.anyOf !== undefined) {
      var wanted = fs.dataset.anyOf.split(" ");
      return got.some(function (v) { return wanted.indexOf(v) >= 0; });
    }
    return true;
  }
  function update() {
    form.querySelectorAll("fieldset[data-show-question]").forEach(function (fs) {
      fs.hidden = !meets(fs);
    });
  }
  form.addEventListener("change", update);
  update();
})();
