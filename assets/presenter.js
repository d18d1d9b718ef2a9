// Care Atlas presenter mode (/present, dashboard/pages/present.py): keys onto the slide links.
// Right arrow, N, space or Page Down: next; left arrow, P or Page Up: previous; Esc: leave;
// F: full screen. The links carry the whole state, so the URL always names the slide shown.
(function () {
  var KEYS = {
    ArrowRight: "present-next", PageDown: "present-next", " ": "present-next",
    n: "present-next", N: "present-next",
    ArrowLeft: "present-previous", PageUp: "present-previous",
    p: "present-previous", P: "present-previous",
    Escape: "present-leave"
  };
  function fullScreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  }
  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("presenter")) { return; }
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    if (target && target.closest && target.closest("input, select, textarea, [role=combobox]")) {
      return;
    }
    if (event.key === " " && target && target.closest && target.closest("button, a")) {
      return;  // space presses the focused control
    }
    if (event.key === "f" || event.key === "F") { event.preventDefault(); fullScreen(); return; }
    var id = KEYS[event.key];
    var link = id && document.getElementById(id);
    if (link) { event.preventDefault(); link.click(); }
  });
  document.addEventListener("click", function (event) {
    if (event.target && event.target.id === "present-full-screen") { fullScreen(); }
  });
})();
