/* Starts Pagefind UI on the search page and runs the query from ?q=. A large archive's
   index comes in shards: data-merge lists the other shards' bundles, merged in, each
   ranked as the first (a merged index keeps its own ranking options).

   One search box: the header's. Pagefind UI's own box is hidden (class search-live)
   and the header box drives it as the reader types; without JavaScript the header
   form sends ?q= here and the page lists the indexes instead.

   Ranking: a record's own page first for its name and each alias. The templates
   weight a record's name and aliases 10 (its heading and "Also known as"), other
   headings as Pagefind does, and index only the page's own text. Here, a word that
   only begins with the query counts for little beside the query itself (a high
   termSimilarity: "Pakistan" finds Pakistan before the Pakistani Taliban), weights
   count in full rather than saturating (termSaturation), page length counts for
   less, and the title metadata adds nothing that the weighted heading has not
   already counted (a long source title naming Muttaqi would otherwise tie with
   Muttaqi's own page). */
(function () {
  "use strict";
  /* Names transliterated from Pashto, Dari, Urdu or Arabic are spelt many ways
     (Muttaqi, Muttaki; Zabihullah, Zabiullah; Taliban, Taleban). A query word of five
     letters or more that is not the beginning of a name on the site, nor begins with
     one, is respelt as the one name word (data-names) with the same skeleton: q and
     c read as k, ph as f, h and the vowels after the first letter left out, doubled
     letters made single. */
  function skeleton(word) {
    var w = word.replace(/ph/g, "f").replace(/[qc]/g, "k");
    return (w.charAt(0) + w.slice(1).replace(/[aeiouyh]/g, "")).replace(/(.)\1+/g, "$1");
  }
  function respeller(names) {
    var bySkeleton = {};
    names.forEach(function (name) {
      var key = skeleton(name);
      bySkeleton[key] = key in bySkeleton && bySkeleton[key] !== name ? null : name;
    });
    function respell(word) {
      var low = word.toLowerCase();
      if (low.length < 5 || names.some(function (name) {
        return name.indexOf(low) === 0 || low.indexOf(name) === 0;
      })) { return word; }
      var key = skeleton(low);
      return key.length >= 3 && bySkeleton[key] ? bySkeleton[key] : word;
    }
    return function (term) { return term.split(/(\s+)/).map(respell).join(""); };
  }
  var RANKING = {
    termSimilarity: 20,
    termSaturation: 20,
    pageLength: 0.3,
    metaWeights: { title: 0 }
  };
  function start() {
    var box = document.getElementById("search");
    if (!box || typeof PagefindUI === "undefined") { return; }
    var base = box.getAttribute("data-base");
    var merge = (box.getAttribute("data-merge") || "").split(" ").filter(Boolean)
      .map(function (bundle) { return { bundlePath: bundle, baseUrl: base, ranking: RANKING }; });
    var wide = window.matchMedia("(min-width: 50em)").matches;
    var ui = new PagefindUI({
      element: "#search",
      bundlePath: box.getAttribute("data-bundle"),
      baseUrl: base,
      mergeIndex: merge,
      showSubResults: true,
      showImages: false,
      showEmptyFilters: false,
      openFilters: wide ? [box.getAttribute("data-filter") || "kind"] : [],
      excerptLength: 24,
      ranking: RANKING,
      processTerm: respeller((box.getAttribute("data-names") || "").split(" ").filter(Boolean))
    });
    var fallback = document.getElementById("search-fallback");
    if (fallback) { fallback.hidden = true; }
    var header = document.getElementById("site-search");
    var query = new URLSearchParams(window.location.search).get("q") || "";
    if (header) {
      box.classList.add("search-live");
      header.value = query;
      header.addEventListener("input", function () { ui.triggerSearch(header.value); });
      if (header.form) {
        header.form.addEventListener("submit", function (event) {
          event.preventDefault();
          ui.triggerSearch(header.value);
          window.history.replaceState(null, "", "?q=" + encodeURIComponent(header.value));
        });
      }
      header.focus();
    }
    if (query) { ui.triggerSearch(query); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
