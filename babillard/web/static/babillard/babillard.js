/* Progressive enhancements only: every action works without this file. */
(function () {
  "use strict";
  var URL_LENGTH = 23;
  var URL_RE = /https?:\/\/[^\s<>"']+/g;
  var REMOTE_MENTION_RE = /(^|[^\w/@])@([A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*)@[\w.-]+\.\w+(?::\d+)?/g;

  // Count as Mastodon does: every link counts 23, a remote mention only its user part.
  function countCharacters(text) {
    var replaced = text
      .replace(URL_RE, function () { return new Array(URL_LENGTH + 1).join("x"); })
      .replace(REMOTE_MENTION_RE, function (_m, before, user) { return before + "@" + user; });
    return Array.from(replaced).length;
  }

  function setUpCounter(textarea) {
    var counter = document.getElementById(textarea.dataset.counter);
    if (!counter) { return; }
    var form = textarea.form;
    var warning = form ? form.querySelector("input[name='spoiler_text']") : null;
    var max = parseInt(counter.dataset.max, 10) || 500;
    function update() {
      var used = countCharacters(textarea.value) + (warning ? Array.from(warning.value).length : 0);
      var left = max - used;
      counter.textContent = left + " " + (counter.dataset.label || "") + " (" + max + ")";
      counter.classList.toggle("over", left < 0);
    }
    textarea.addEventListener("input", update);
    if (warning) { warning.addEventListener("input", update); }
    update();
  }

  function setUp(root) {
    root.querySelectorAll("textarea[data-counter]").forEach(setUpCounter);
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function (event) { setUp(event.target); });
  // After a post is published without a reload, empty the composer.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.id === "compose" && event.detail.successful && !event.detail.xhr.getResponseHeader("HX-Retarget")) {
      form.reset();
      form.querySelectorAll("textarea[data-counter]").forEach(function (t) { t.dispatchEvent(new Event("input")); });
    }
  });
})();
