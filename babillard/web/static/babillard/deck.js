/* Live deck columns. A column whose kind has a stream (home, local, federated, a list, a
   hashtag, notifications) is refreshed when its stream announces something; the others
   (antennas, feeds, searches) every minute. Without this file the deck is plain pages. */
(function () {
  "use strict";
  var MAX_STREAMS = 4; // browsers keep about six connections per server
  var POLL_MS = 60000;
  var SETTLE_MS = 1000;

  function refresh(column) {
    if (column.dataset.pending) { return; }
    column.dataset.pending = "1";
    window.setTimeout(function () {
      window.fetch(column.dataset.refresh, { credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.text() : null; })
        .then(function (html) {
          delete column.dataset.pending;
          if (html !== null) {
            column.querySelector(".column-entries").innerHTML = html;
          }
        })
        .catch(function () { delete column.dataset.pending; });
    }, SETTLE_MS);
  }

  function start() {
    var listeners = {};
    document.querySelectorAll(".deck .column[data-refresh]").forEach(function (column) {
      var url = column.dataset.stream;
      if (url && (listeners[url] || Object.keys(listeners).length < MAX_STREAMS)) {
        (listeners[url] = listeners[url] || []).push(column);
      } else {
        window.setInterval(function () { refresh(column); }, POLL_MS);
      }
    });
    Object.keys(listeners).forEach(function (url) {
      var stream = new window.EventSource(url);
      ["update", "notification", "delete", "status.update"].forEach(function (name) {
        stream.addEventListener(name, function () { listeners[url].forEach(refresh); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
