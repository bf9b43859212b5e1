/* Forms for people: where the cursor goes, and a sign of work at once. Loaded from a file (the
   Content-Security-Policy forbids inline scripts); every behaviour is an enhancement, the pages
   work without JavaScript.

   - form[data-autofocus]: the main form of a create/edit page puts the cursor in its first
     visible field, or in its first field in error when it comes back with errors.
   - form[data-busy], a[data-busy]: a long action (export, bilan or PDF, import, check of a file)
     shows « Préparation en cours… » on its button at once and refuses a second click.
   - The commission's session page: after a dossier is decided through htmx, the focus moves to
     the next dossier to decide, or to the session's panel once every dossier is decided (never
     to <body>); a card that comes back with errors gets the focus on its first error. */
(function () {
  "use strict";

  var BUSY_TEXT = "Préparation en cours…";
  var FIELDS = "input:not([type=hidden]):not([type=submit]):not([type=button]):not([disabled]), select:not([disabled]), textarea:not([disabled])";

  function visible(element) {
    return !!(element.offsetWidth || element.offsetHeight || element.getClientRects().length);
  }

  function firstField(root, selector) {
    var fields = root.querySelectorAll(selector);
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (!visible(field)) continue;
      if (field.type === "radio") {
        // a group of radio buttons takes the focus on its checked button, else its first one
        var checked = root.querySelector('input[type=radio][name="' + field.name + '"]:checked');
        return checked && visible(checked) ? checked : field;
      }
      return field;
    }
    return null;
  }

  function focus(element) {
    if (!element) return false;
    if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
    return document.activeElement === element;
  }

  // --- the first field ------------------------------------------------------------------------

  function setUpAutofocus() {
    if (document.activeElement && document.activeElement !== document.body) return;  // autofocus, a click
    if (window.location.hash) return;  // the page was opened on an anchor: leave it there
    var form = document.querySelector("main form[data-autofocus]");
    if (!form) return;
    focus(firstField(form, '[aria-invalid="true"]') || firstField(form, FIELDS));
  }

  // --- a sign of work -------------------------------------------------------------------------

  function markBusy(control) {
    if (control.hasAttribute("data-busy-label")) return;
    control.setAttribute("data-busy-label", control.innerHTML);
    control.textContent = control.getAttribute("data-busy") || BUSY_TEXT;
    control.setAttribute("aria-disabled", "true");
    control.classList.add("disabled");
  }

  function restore(control) {
    if (!control.hasAttribute("data-busy-label")) return;
    control.innerHTML = control.getAttribute("data-busy-label");
    control.removeAttribute("data-busy-label");
    control.removeAttribute("aria-disabled");
    control.classList.remove("disabled");
    control.disabled = false;
  }

  function onSubmit(event) {
    var form = event.target;
    if (event.defaultPrevented || !form.matches || !form.matches("form[data-busy]")) return;
    if (form.getAttribute("aria-busy") === "true") {  // already on its way: no second submission
      event.preventDefault();
      return;
    }
    var button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
    form.setAttribute("aria-busy", "true");
    if (button) {
      if (!button.hasAttribute("data-busy")) button.setAttribute("data-busy", form.getAttribute("data-busy") || "");
      markBusy(button);
      // disabled after the submission has read the button's name and value
      window.setTimeout(function () { button.disabled = true; }, 0);
    }
  }

  function onClick(event) {
    var link = event.target.closest && event.target.closest("a[data-busy]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    if (link.hasAttribute("data-busy-label")) {  // the file is being prepared: no second request
      event.preventDefault();
      return;
    }
    markBusy(link);
    // a download leaves the page where it is: give the link back when the user moves on, or
    // once the file had time to come
    link.addEventListener("blur", function () { restore(link); }, { once: true });
    window.setTimeout(function () { restore(link); }, 8000);
  }

  // Back to a page kept in the browser's cache: its buttons work again.
  function onPageShow(event) {
    if (!event.persisted) return;
    document.querySelectorAll("[data-busy-label]").forEach(restore);
    document.querySelectorAll('form[aria-busy="true"]').forEach(function (form) { form.removeAttribute("aria-busy"); });
  }

  // --- the commission's session page ----------------------------------------------------------

  function afterDecision(card) {
    var error = card.querySelector(".alert-warning") || null;
    var invalid = firstField(card, '[aria-invalid="true"]');
    if (invalid) return focus(invalid);
    if (error) return focus(error);
    if (card.querySelector("form.decision-form")) return focus(firstField(card, FIELDS));
    var cards = Array.prototype.slice.call(document.querySelectorAll("article.dossier"));
    var after = cards.slice(cards.indexOf(card) + 1).concat(cards.slice(0, cards.indexOf(card)));
    for (var i = 0; i < after.length; i++) {
      if (after[i].querySelector("form.decision-form")) {
        return focus(after[i].querySelector("h3") || after[i]);
      }
    }
    return focus(document.getElementById("commission-cloture-etat")) ||
      focus(card.querySelector(".decision-resultat"));
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var form = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!form || !form.matches || !form.matches("form.decision-form")) return;
    // once per request: on the card swapped in (the session's panel settles out of band too)
    var card = document.getElementById(form.getAttribute("hx-target").replace(/^#/, ""));
    if (card && event.target === card) afterDecision(card);
  });

  document.addEventListener("submit", onSubmit);
  document.addEventListener("click", onClick);
  window.addEventListener("pageshow", onPageShow);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpAutofocus);
  } else {
    setUpAutofocus();
  }
})();
