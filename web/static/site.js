// newsdex: the only script besides htmx. A live search that fails (a server error, no
// network) swaps nothing, so say so instead of leaving the old results looking current.
(function () {
  "use strict";

  function box() {
    return document.getElementById("live-error");
  }

  function show(text) {
    var el = box();
    if (el) {
      el.textContent = text;
      el.hidden = false;
    }
  }

  document.addEventListener("htmx:beforeRequest", function () {
    var el = box();
    if (el) {
      el.hidden = true;
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : "?";
    show("The search failed (HTTP " + status + "). Try again, or reload the page.");
  });

  document.addEventListener("htmx:sendError", function () {
    show("The server could not be reached. Try again, or reload the page.");
  });
})();
