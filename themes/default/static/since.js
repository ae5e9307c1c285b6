/* "Since your last visit", kept in this browser only, sent nowhere. A visit
   ends after 30 minutes without a page view. */
(function () {
  var script = document.currentScript || document.querySelector("script[data-site]");
  var key = "explainer-since:" + script.getAttribute("data-site");
  var now = Date.now();
  var since;
  try {
    // "<last view> <what this visit compares with>" (ms)
    var saved = (localStorage.getItem(key) || "").split(" ");
    var last = +saved[0];
    since = !last ? 0 : now - last > 18e5 ? last : +saved[1];
    localStorage.setItem(key, now + " " + since);
  } catch (e) {
    return; // no storage (private mode, file://): mark nothing
  }
  if (!(since > 0)) return; // a first visit marks nothing

  // is YYYY[-MM[-DD[THH:MM[:SS]]]][Z|+HH:MM] (no offset: UTC) after since?
  function after(iso) {
    var m = /^(\d{4})(?:-(\d\d))?(?:-(\d\d))?(?:T(\d\d):(\d\d)(?::(\d\d))?)?(Z|([+-])(\d\d):(\d\d))?$/.exec(iso);
    var t = m && Date.UTC(m[1], (m[2] || 1) - 1, m[3] || 1, m[4] || 0, m[5] || 0, m[6] || 0);
    return !!m && (m[8] ? t - (m[8] + 1) /* ±1 */ * (m[9] * 60 + +m[10]) * 6e4 : t) > since;
  }

  document.querySelectorAll("li[data-changed]").forEach(function (item) {
    if (after(item.dataset.changed)) {
      var mark = document.createElement("span");
      mark.className = "since-mark";
      mark.textContent = after(item.dataset.first) ? "New" : "Updated";
      item.append(" ", mark);
    }
  });

  var count = document.getElementById("since-visit");
  var n = count ? count.dataset.changes.split(" ").filter(after).length : 0;
  if (!n) return;
  // live region first, words next: announced politely
  count.setAttribute("role", "status");
  count.hidden = false;
  setTimeout(function () {
    var link = document.createElement("a");
    link.href = count.dataset.updatesUrl;
    link.textContent = "see what\u2019s new";
    count.textContent = n + (n > 1 ? " changes" : " change") + " since your last visit \u2014 ";
    count.append(link);
  }, 50);
})();
