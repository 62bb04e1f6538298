// The live wall: new posts come from the hashtag's event stream (or, failing it, every
// few seconds); the server renders them, moderation included. The page keeps at most
// MAX_POSTS posts, so that a day on a venue's screen does not grow its memory.
(function () {
  "use strict";
  var MAX_POSTS = 30;
  var body = document.body;
  var list = document.getElementById("wall-posts");
  if (!list) {
    return;
  }
  var newest = body.dataset.newest || "";
  var busy = false;
  var again = false;

  function trim() {
    var posts = list.querySelectorAll("article.wall-post");
    for (var i = MAX_POSTS; i < posts.length; i++) {
      posts[i].remove();
    }
  }

  function insert(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    var fresh = Array.prototype.slice.call(template.content.querySelectorAll("article.wall-post"));
    fresh.reverse().forEach(function (post) {
      if (!document.getElementById(post.id)) {
        list.insertBefore(post, list.firstChild);
      }
    });
    if (fresh.length) {
      var empty = document.getElementById("wall-empty");
      if (empty) {
        empty.remove();
      }
    }
    trim();
  }

  function load() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    var url = body.dataset.postsUrl + (newest ? "?since_id=" + encodeURIComponent(newest) : "");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        newest = response.headers.get("X-Newest-Id") || newest;
        return response.text();
      })
      .then(insert)
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          load();
        }
      });
  }

  if (window.EventSource) {
    var stream = new EventSource(body.dataset.streamUrl);
    stream.addEventListener("update", load);
  }
  // Approvals on a moderated wall send no event; a slow poll catches them.
  window.setInterval(load, (parseInt(body.dataset.refresh, 10) || 30) * 1000);
})();
