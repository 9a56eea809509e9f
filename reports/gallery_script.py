"""The report's only script: gallery filtering, sorting and paging, the filters in the URL, the raw results viewer.

It reads data-* attributes and writes `hidden` and the node order; it never builds HTML from data
(only textContent), so nothing in a sample can become markup. The gallery state lives in the URL's
fragment, `#samples?category=COATS&verdict=wrong&page=2`, so a filtered view can be bookmarked or
sent, and a confusion-matrix cell is a plain link to its samples.
"""

GALLERY_JS = """
(function () {
  "use strict";
  var gallery = document.getElementById("gallery");
  var raw = document.getElementById("raw-results");
  var data = document.getElementById("report-data");
  if (raw && data) { raw.textContent = JSON.stringify(JSON.parse(data.textContent), null, 2); }
  if (!gallery) { return; }
  var PREFIX = "#samples?";
  var size = parseInt(gallery.dataset.pageSize, 10) || 48;
  var cards = Array.prototype.slice.call(gallery.querySelectorAll("article.sample"));
  var text = cards.map(function (card) { return card.textContent.toLowerCase(); });
  var order = cards.map(function (card, index) { return index; });
  var q = document.getElementById("q"), category = document.getElementById("category");
  var predicted = document.getElementById("predicted");
  var verdict = document.getElementById("verdict"), sort = document.getElementById("sort");
  var count = document.getElementById("count"), none = document.getElementById("no-match");
  var pager = document.getElementById("pager"), pageText = document.getElementById("page-text");
  var prev = document.getElementById("prev"), next = document.getElementById("next");
  var fields = { q: q, category: category, predicted: predicted, verdict: verdict, sort: sort };
  var page = 1;
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
  function matches(index) {
    var card = cards[index], needle = q.value.trim().toLowerCase();
    return (!needle || text[index].indexOf(needle) !== -1) &&
      (!category.value || card.dataset.category === category.value) &&
      (!predicted.value || card.dataset.predicted === predicted.value) &&
      (!verdict.value || card.dataset.flags.split(" ").indexOf(verdict.value) !== -1);
  }
  function render() {
    order.sort(compare(sort.value));
    var fragment = document.createDocumentFragment();
    order.forEach(function (index) { fragment.appendChild(cards[index]); });
    gallery.appendChild(fragment);
    var shown = order.filter(matches);
    var pages = Math.max(1, Math.ceil(shown.length / size));
    page = Math.min(Math.max(1, page), pages);
    var first = (page - 1) * size, onPage = {};
    shown.slice(first, first + size).forEach(function (index) { onPage[index] = true; });
    cards.forEach(function (card, index) { card.hidden = !onPage[index]; });
    var summary = shown.length + " of " + cards.length + " samples";
    if (pages > 1) {
      summary += ", " + (first + 1) + "-" + Math.min(first + size, shown.length) + " on this page";
    }
    count.textContent = summary;
    pageText.textContent = "page " + page + " of " + pages;
    prev.disabled = page <= 1;
    next.disabled = page >= pages;
    pager.hidden = pages <= 1;
    none.hidden = shown.length !== 0;
  }
  function save() {
    var params = new URLSearchParams();
    Object.keys(fields).forEach(function (key) {
      var value = fields[key].value;
      if (value && !(key === "sort" && value === "id")) { params.set(key, value); }
    });
    if (page > 1) { params.set("page", String(page)); }
    var query = params.toString();
    history.replaceState(null, "", query ? PREFIX + query : "#samples");
  }
  function load() {
    if (location.hash.indexOf(PREFIX) !== 0) { return false; }
    var params = new URLSearchParams(location.hash.slice(PREFIX.length));
    Object.keys(fields).forEach(function (key) {
      var field = fields[key], value = params.get(key) || (key === "sort" ? "id" : "");
      field.value = value;
      if (field.value !== value) { field.value = key === "sort" ? "id" : ""; }  /* an option it lacks */
    });
    page = parseInt(params.get("page"), 10) || 1;
    return true;
  }
  function changed() { page = 1; render(); save(); }
  function turn(step) {
    page += step;
    render();
    save();
    gallery.scrollIntoView({ block: "start" });
  }
  q.addEventListener("input", changed);
  [category, predicted, verdict, sort].forEach(function (field) { field.addEventListener("change", changed); });
  prev.addEventListener("click", function () { turn(-1); });
  next.addEventListener("click", function () { turn(1); });
  window.addEventListener("hashchange", function () {
    if (load()) { render(); document.getElementById("samples").scrollIntoView({ block: "start" }); }
  });
  var fromUrl = load();
  render();
  if (fromUrl) { document.getElementById("samples").scrollIntoView({ block: "start" }); }
})();
"""
