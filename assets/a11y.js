// Care Atlas: give every radio and checkbox group its visible label as its accessible name.
// Dash 4 draws dcc.RadioItems / dcc.Checklist as a div role="listbox" that takes no aria
// properties, so the <label for="..."> the layout puts beside each group names nothing. Here
// each such group is pointed at its label with aria-labelledby, again whenever Dash redraws.
(function () {
  function name(group) {
    if (!group.id || group.hasAttribute("aria-labelledby") || group.hasAttribute("aria-label")) {
      return;
    }
    var label = document.querySelector('label[for="' + CSS.escape(group.id) + '"]');
    if (!label) { return; }
    if (!label.id) { label.id = group.id + "-label"; }
    group.setAttribute("aria-labelledby", label.id);
  }
  var pending = false;
  function nameAll() {
    pending = false;
    document.querySelectorAll('[role="listbox"][id]').forEach(name);
  }
  new MutationObserver(function () {
    if (!pending) { pending = true; window.requestAnimationFrame(nameAll); }
  }).observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener("DOMContentLoaded", nameAll);
})();
