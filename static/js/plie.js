/* The application's few behaviours, loaded from a file: the Content-Security-Policy forbids
   inline scripts. Every one is a progressive enhancement: without JavaScript the page works. */
(function () {
  "use strict";

  // Questionnaire (participants/includes/questionnaire_questions.html): Q1 1e–1g only when
  // Q1 = « Non », 1g only when 1f = « Oui ». Without JavaScript every question stays visible;
  // the server clears 1e–1g for a person in employment.
  function setUpShowIf(form) {
    function sync() {
      form.querySelectorAll("[data-show-if]").forEach(function (block) {
        var rule = block.getAttribute("data-show-if").split("=");
        var checked = form.querySelector('input[name="' + rule[0] + '"]:checked');
        block.hidden = !(checked && checked.value === rule[1]);
      });
    }
    form.addEventListener("change", sync);
    sync();
  }

  // Étape form (parcours/etape_form.html): the contract is asked only for a job étape. Without
  // JavaScript the fieldset stays visible and the server checks it.
  function setUpContratFieldset(fieldset) {
    var select = document.getElementById(fieldset.getAttribute("data-type-select"));
    var data = document.getElementById(fieldset.getAttribute("data-types-emploi"));
    if (!select || !data) return;
    var jobs = JSON.parse(data.textContent);
    var inputs = fieldset.querySelectorAll("input, select");
    function filled() {
      return Array.prototype.some.call(inputs, function (input) { return input.value !== ""; });
    }
    function toggle() { fieldset.hidden = select.value !== "" && jobs.indexOf(select.value) === -1 && !filled(); }
    select.addEventListener("change", toggle);
    toggle();
  }

  // Progress bars of the background jobs: the width comes from aria-valuenow (a style=""
  // attribute would be refused by the Content-Security-Policy; setting it from a script is not).
  function setUpProgress(root) {
    root.querySelectorAll(".progress[aria-valuenow] > .progress-bar").forEach(function (bar) {
      var value = Number(bar.parentElement.getAttribute("aria-valuenow"));
      if (!isNaN(value)) bar.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
  }

  function setUp(root) {
    var forms = new Set();
    root.querySelectorAll("[data-show-if]").forEach(function (block) {
      var form = block.closest("form");
      if (form && !form.hasAttribute("data-show-if-ready")) forms.add(form);
    });
    forms.forEach(function (form) {
      form.setAttribute("data-show-if-ready", "");
      setUpShowIf(form);
    });
    root.querySelectorAll("fieldset[data-type-select]:not([data-ready])").forEach(function (fieldset) {
      fieldset.setAttribute("data-ready", "");
      setUpContratFieldset(fieldset);
    });
    setUpProgress(root);
  }

  // The menu's groups (<details class="nav-details">, base.html) open and close without
  // JavaScript; with it, a click elsewhere or Escape closes an open one, like any menu.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.nav-details[open]").forEach(function (details) {
      if (!details.contains(event.target)) details.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("details.nav-details[open]");
    if (open) {
      open.removeAttribute("open");
      open.querySelector("summary").focus();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
  // Content swapped in by htmx (the progress partials poll themselves).
  document.addEventListener("htmx:load", function (event) { setUp(event.target.parentElement || document); });
})();
