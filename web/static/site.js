// newsdex: the only script besides htmx. Everything here makes the live page behave under
// real hands; the page works without it (plain links and a GET form).
//  - a live search that fails (a server error, no network) says so;
//  - the date boxes search only on a whole date inside the index's span;
//  - after a swap the focus goes back where the user was, and a polite live region says
//    how many stories there are now;
//  - "/" focuses the search box; on a phone the filters fold away behind a button;
//  - typing replaces the history entry (committed actions add one: see pages.TYPING_HEADER).
(function () {
  "use strict";

  var DATE_WAIT = 800; // ms after the last change to a whole, valid date
  var filtersOpen = false;
  var lastTrigger = null;
  var timers = {};

  function byId(id) {
    return document.getElementById(id);
  }

  function show(text) {
    var el = byId("live-error");
    if (el) {
      el.textContent = text;
      el.hidden = false;
    }
  }

  // --- failures ---------------------------------------------------------------------------

  document.addEventListener("htmx:beforeRequest", function () {
    var el = byId("live-error");
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

  // --- history: typing replaces, committing pushes ------------------------------------------

  document.addEventListener("htmx:configRequest", function (event) {
    var cause = event.detail.triggeringEvent;
    if (cause && cause.type === "input") {
      event.detail.headers["X-Newsdex-Typing"] = "1";
    }
    lastTrigger = event.detail.elt;
  });

  // --- date boxes -----------------------------------------------------------------------------

  function isDateBox(el) {
    return el && el.matches && el.matches("input[type=date][hx-trigger='date-commit']");
  }

  function hint(text) {
    var el = byId("dates-hint");
    if (el) {
      el.textContent = text;
    }
  }

  function commit(box) {
    clearTimeout(timers[box.id]);
    if (box.value === box.getAttribute("data-sent")) {
      return;
    }
    if (!box.checkValidity()) {
      var dates = byId("dates-hint");
      hint("Not searched: type a whole date. " + (dates ? dates.getAttribute("data-hint") : ""));
      return;
    }
    box.setAttribute("data-sent", box.value);
    hint("");
    htmx.trigger(box, "date-commit");
  }

  function changed(event) {
    var box = event.target;
    if (!isDateBox(box)) {
      return;
    }
    clearTimeout(timers[box.id]);
    // A half-typed year ("0002") is a date to the browser but outside min/max: wait.
    if (box.value === box.getAttribute("data-sent") || !box.checkValidity()) {
      return;
    }
    timers[box.id] = setTimeout(function () {
      if (box.isConnected) {
        commit(box);
      }
    }, DATE_WAIT);
  }

  document.addEventListener("input", changed);
  document.addEventListener("change", changed);
  document.addEventListener("focusout", function (event) {
    if (isDateBox(event.target)) {
      commit(event.target);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && isDateBox(event.target)) {
      event.preventDefault(); // not the form's submit: it would send a half-typed date
      commit(event.target);
    }
  });

  // A swap must not throw away a date being typed: carry its value into the new box.
  var typing = null;
  document.addEventListener("htmx:beforeSwap", function () {
    var box = document.activeElement;
    typing = isDateBox(box) ? { id: box.id, value: box.value } : null;
  });

  // --- after a swap: focus, announcement, the search box, the filters panel ------------------

  function focusAfterSwap() {
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) {
      return; // htmx put it back (an element with the same id), or it never left
    }
    var target = null;
    if (lastTrigger) {
      var key = lastTrigger.getAttribute("data-focus");
      if (key) {
        target = document.querySelector('#results [data-focus="' + CSS.escape(key) + '"]');
      }
      if (!target && lastTrigger.getAttribute("data-focus-to")) {
        target = byId(lastTrigger.getAttribute("data-focus-to"));
      }
    }
    target = target || byId("summary");
    if (target) {
      target.focus({ preventScroll: target.id === "summary" ? false : true });
    }
  }

  function announce() {
    var live = byId("announce");
    var summary = byId("summary");
    if (live && summary) {
      var text = summary.getAttribute("data-announce") || "";
      // The same words again are not read out again: make them differ invisibly.
      live.textContent = live.textContent === text ? text + "\u00a0" : text;
    }
  }

  function applyFilters() {
    var button = document.querySelector(".filters-toggle");
    if (button) {
      button.setAttribute("aria-expanded", filtersOpen ? "true" : "false");
    }
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || event.detail.target.id !== "results") {
      return;
    }
    if (typing) {
      var box = byId(typing.id);
      if (box && box.value !== typing.value) {
        box.value = typing.value;
      }
      typing = null;
    }
    var results = byId("results");
    var q = byId("q");
    var holder = results && results.querySelector("[data-q]");
    // Dropping a filter written in the words changes the words: show them.
    var rewrites = lastTrigger && lastTrigger.hasAttribute("data-new-q");
    if (q && holder && rewrites && document.activeElement !== q) {
      q.value = holder.getAttribute("data-q");
    }
    applyFilters();
    focusAfterSwap();
    announce();
    lastTrigger = null;
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".filters-toggle");
    if (button) {
      filtersOpen = button.getAttribute("aria-expanded") !== "true";
      applyFilters();
    }
  });

  // --- "/" goes to the search box -----------------------------------------------------------

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var el = event.target;
    var tag = el && el.tagName;
    var typed = tag === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/.test(el.type);
    if (typed || tag === "TEXTAREA" || tag === "SELECT" || (el && el.isContentEditable)) {
      return; // a "/" typed into a field is the user's
    }
    var q = byId("q");
    if (q) {
      event.preventDefault();
      q.focus();
      q.select();
    }
  });
})();
