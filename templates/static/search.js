/* Starts Pagefind UI on the search page and runs the query from ?q=. A large archive's
   index comes in shards: data-merge lists the other shards' bundles, merged in. */
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("search");
    if (!box || typeof PagefindUI === "undefined") { return; }
    var base = box.getAttribute("data-base");
    var merge = (box.getAttribute("data-merge") || "").split(" ").filter(Boolean)
      .map(function (bundle) { return { bundlePath: bundle, baseUrl: base }; });
    var ui = new PagefindUI({
      element: "#search",
      bundlePath: box.getAttribute("data-bundle"),
      baseUrl: base,
      mergeIndex: merge,
      showSubResults: true,
      showImages: false,
      autofocus: true
    });
    var fallback = document.getElementById("search-fallback");
    if (fallback) { fallback.hidden = true; }
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      ui.triggerSearch(query);
      var header = document.getElementById("site-search");
      if (header) { header.value = query; }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
