/* Tells the embedding page the card's height (and WordPress, which also opens links): docs/newsrooms.md */
(function () {
 if (parent === window) return;
 var secret = (location.hash.match(/secret=(\w+)/) || [])[1], last = 0;
 function post(data) { parent.postMessage(data, "*"); }
 function send() {
  var px = Math.ceil(document.documentElement.getBoundingClientRect().height), data = {};
  if (px === last) return;
  last = data[location.href.split("#")[0]] = px;
  post({ "explainer-height": data });
  if (secret) post({ message: "height", value: px, secret: secret });
 }
 if (window.ResizeObserver) new ResizeObserver(send).observe(document.documentElement);
 addEventListener("load", send);
 send();
 if (secret) addEventListener("click", function (event) {
  var link = event.target.closest("a[href]");
  if (link) { event.preventDefault(); post({ message: "link", value: link.href, secret: secret }); }
 });
})();
