// Care Atlas: links between pages carry the shared filters (period, age band, client group,
// service, element, MIA theme, provision) of the page being looked at. The keys match
// SHARED_FILTER_KEYS in dashboard/pagekit.py; a test checks the two lists agree.
(function () {
  var SHARED_FILTER_KEYS = [
    "period_kind", "from", "to", "age_bands", "client_groups",
    "services", "elements", "themes", "provision"
  ];
  function carry(link) {
    var here = new URLSearchParams(window.location.search);
    var kept = new URLSearchParams();
    SHARED_FILTER_KEYS.forEach(function (key) {
      var value = here.get(key);
      if (value) { kept.set(key, value); }
    });
    var query = kept.toString().replace(/%2C/g, ",");
    link.setAttribute("href", link.pathname + (query ? "?" + query : ""));
  }
  function onActivate(event) {
    var link = event.target.closest && event.target.closest(".site-nav a");
    if (link) { carry(link); }
  }
  // Before the browser follows the link (mouse, keyboard, middle-click, copy link address).
  document.addEventListener("mousedown", onActivate, true);
  document.addEventListener("keydown", onActivate, true);
  document.addEventListener("focusin", onActivate, true);
  document.addEventListener("click", onActivate, true);
})();
