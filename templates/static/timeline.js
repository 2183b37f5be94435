/* Filters the timeline in place by actor, dispute, place and kind, and turns its order
   round. Only an enhancement: without JavaScript the form stays hidden, and the page
   links to the newest-first timeline and to each actor's, dispute's and place's own.
   The choice is kept in the address (?actor=india&kind=meeting), so it can be shared. */
(function () {
  "use strict";
  var KEYS = ["actor", "dispute", "place", "kind"];

  function start() {
    var form = document.getElementById("timeline_filter");
    if (!form) { return; }
    var entries = Array.prototype.slice.call(document.querySelectorAll("li.event-item[data-kind]"));
    var sections = Array.prototype.slice.call(document.querySelectorAll("section.year"));
    var dots = Array.prototype.slice.call(document.querySelectorAll(".time-strip a.dot[data-event]"));
    var output = form.querySelector("output");
    var params = new URLSearchParams(window.location.search);
    KEYS.forEach(function (key) {
      var select = form.elements[key];
      var wanted = params.get(key);
      if (select && wanted && select.querySelector("option[value='" + CSS.escape(wanted) + "']")) {
        select.value = wanted;
      }
    });

    function matches(entry, wanted) {
      return KEYS.every(function (key) {
        if (!wanted[key]) { return true; }
        return (entry.getAttribute("data-" + key) || "").split(" ").indexOf(wanted[key]) >= 0;
      });
    }

    function apply() {
      var wanted = {};
      var query = new URLSearchParams();
      KEYS.forEach(function (key) {
        var select = form.elements[key];
        wanted[key] = select ? select.value : "";
        if (wanted[key]) { query.set(key, wanted[key]); }
      });
      var shown = 0;
      var visible = {};
      entries.forEach(function (entry) {
        var ok = matches(entry, wanted);
        entry.hidden = !ok;
        if (ok) { shown += 1; visible[entry.id] = true; }
      });
      sections.forEach(function (section) {
        section.hidden = !section.querySelector("li.event-item:not([hidden])");
        var link = document.querySelector(".year-nav a[href='#" + CSS.escape(section.getAttribute("aria-labelledby")) + "']");
        if (link) { link.parentNode.hidden = section.hidden; }
      });
      dots.forEach(function (dot) {
        dot.classList.toggle("filtered-out", !visible[dot.getAttribute("data-event")]);
      });
      // the page's own words and digits (the template gives the sentences)
      var lang = document.documentElement.lang || "en";
      var said = shown === entries.length
        ? output.getAttribute("data-all") || "Showing all {all} events"
        : output.getAttribute("data-some") || "Showing {shown} of {all} events";
      output.textContent = said.replace("{shown}", shown.toLocaleString(lang))
        .replace("{all}", entries.length.toLocaleString(lang));
      var search = query.toString();
      var other = document.querySelector("a.other-order");
      if (other) { other.search = search ? "?" + search : ""; }
      window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") + window.location.hash);
    }

    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    form.hidden = false;
    apply();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
