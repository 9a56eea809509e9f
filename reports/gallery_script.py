"""The report's only script: gallery filtering and sorting, and the raw results viewer.

It reads data-* attributes and writes `hidden` and the node order; it never builds HTML from data
(only textContent), so nothing in a sample can become markup.
"""

GALLERY_JS = """
(function () {
  "use strict";
  var gallery = document.getElementById("gallery");
  var raw = document.getElementById("raw-results");
  var data = document.getElementById("report-data");
  if (raw && data) { raw.textContent = JSON.stringify(JSON.parse(data.textContent), null, 2); }
  if (!gallery) { return; }
  var cards = Array.prototype.slice.call(gallery.querySelectorAll("article.sample"));
  var text = cards.map(function (card) { return card.textContent.toLowerCase(); });
  var order = cards.map(function (card, index) { return index; });
  var q = document.getElementById("q"), category = document.getElementById("category");
  var verdict = document.getElementById("verdict"), sort = document.getElementById("sort");
  var count = document.getElementById("count"), none = document.getElementById("no-match");
  function num(card, key) { var v = card.dataset[key]; return v === "" ? NaN : parseFloat(v); }
  function compare(mode) {
    return function (a, b) {
      var ca = cards[a], cb = cards[b];
      if (mode === "id") { return ca.dataset.id < cb.dataset.id ? -1 : ca.dataset.id > cb.dataset.id ? 1 : 0; }
      var key = mode.indexOf("error") === 0 ? "ape" : "f1";
      var va = num(ca, key), vb = num(cb, key);
      if (isNaN(va) !== isNaN(vb)) { return isNaN(va) ? 1 : -1; }  /* unscored last */
      if (isNaN(va) || va === vb) { return a - b; }
      return mode === "error-desc" ? vb - va : va - vb;
    };
  }
  function apply() {
    var needle = q.value.trim().toLowerCase(), cat = category.value, flag = verdict.value, shown = 0;
    cards.forEach(function (card, index) {
      var ok = (!needle || text[index].indexOf(needle) !== -1) &&
        (!cat || card.dataset.category === cat) &&
        (!flag || card.dataset.flags.split(" ").indexOf(flag) !== -1);
      card.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + cards.length + " samples";
    none.hidden = shown !== 0;
  }
  function resort() {
    order.sort(compare(sort.value));
    var fragment = document.createDocumentFragment();
    order.forEach(function (index) { fragment.appendChild(cards[index]); });
    gallery.appendChild(fragment);
  }
  q.addEventListener("input", apply);
  category.addEventListener("change", apply);
  verdict.addEventListener("change", apply);
  sort.addEventListener("change", resort);
  resort();
  apply();
})();
"""
