/* "Since your last visit", kept in this browser only, sent nowhere. A visit
   ends after 30 minutes without a page view. Words: the tag's data-*. */
(function () {
  var script = document.currentScript || document.querySelector("script[data-site]");
  var words = script.dataset;
  var key = "explainer-since:" + words.site;
  var now = Date.now();
  var since;
  try {
    // "<last view> <this visit's reference>" (ms)
    var saved = (localStorage.getItem(key) || "").split(" ");
    var last = +saved[0];
    since = !last ? 0 : now - last > 18e5 ? last : +saved[1];
    localStorage.setItem(key, now + " " + since);
  } catch (e) {
    return; // no storage: mark nothing
  }
  if (!(since > 0)) return; // a first visit marks nothing

  // ISO date after since? No offset: UTC; a date lasts to its end
  function after(iso) {
    var m = /^(\d{4})(?:-(\d\d))?(?:-(\d\d))?(?:T(\d\d):(\d\d)(?::(\d\d))?)?(Z|([+-])(\d\d):(\d\d))?$/.exec(iso);
    var t = m && (m[4] ? Date.UTC(m[1], m[2] - 1, m[3], m[4], m[5], m[6] || 0)
      : Date.UTC(m[1], m[2] ? (m[3] ? m[2] - 1 : m[2]) : 12, m[3] ? +m[3] + 1 : 1) - 1);
    return !!m && (m[8] ? t - (m[8] + 1) * (m[9] * 60 + +m[10]) * 6e4 : t) > since;
  }

  document.querySelectorAll("li[data-changed]").forEach(function (item) {
    if (after(item.dataset.changed)) {
      var mark = document.createElement("span");
      mark.className = "since-mark";
      mark.textContent = after(item.dataset.first) ? words.markNew : words.markUpdated;
      item.append(" ", mark);
    }
  });

  var count = document.getElementById("since-visit");
  var n = count ? count.dataset.changes.split(" ").filter(after).length : 0;
  if (!n) return;
  count.hidden = false; // role=status: what is set next is read out
  setTimeout(function () {
    var link = document.createElement("a");
    link.href = count.dataset.updatesUrl;
    link.textContent = words.seeNew;
    count.textContent = (n > 1 ? words.changes : words.change).replace("%n", n) + " \u2014 ";
    count.append(link);
  }, 50);
})();
