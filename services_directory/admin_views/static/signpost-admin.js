// Flask-Admin wires a few buttons with inline onclick handlers, which the admin's
// Content-Security-Policy refuses to run. Our template overrides mark those buttons with
// data- attributes instead, and this file (loaded from our own origin) binds them.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) {
      return;
    }
    var action = target.closest("[data-signpost-action]");
    if (action) {
      event.preventDefault();
      if (window.modelActions) {
        window.modelActions.execute(action.getAttribute("data-signpost-action"));
      }
      return;
    }
    var add = target.closest("[data-signpost-inline-add]");
    if (add) {
      event.preventDefault();
      if (window.faForm) {
        window.faForm.addInlineField(add, add.getAttribute("data-signpost-inline-add"));
      }
      return;
    }
    var confirmed = target.closest("[data-signpost-confirm]");
    if (confirmed && !window.confirm(confirmed.getAttribute("data-signpost-confirm"))) {
      event.preventDefault();
      return;
    }
    // Links that only exist for a script: Flask-Admin's javascript:void(0) ones (the policy
    // would block them, noisily) and our "#" ones must not navigate anywhere.
    if (target.closest('a[href="#"], a[href^="javascript:"]')) {
      event.preventDefault();
    }
  }, true);  // capture: runs before Bootstrap's handlers, which stop the event bubbling up

  // A refused form names the first field to fix; put the cursor there, so the officer
  // (and a screen reader) lands on what needs changing rather than at the top of the page.
  function focusFirstError() {
    var form = document.querySelector("[data-signpost-focus]");
    var field = form && document.getElementById(form.getAttribute("data-signpost-focus"));
    if (!field) {
      field = document.querySelector(".is-invalid, .has-error input, .has-error select, .has-error textarea");
    }
    if (field && typeof field.focus === "function") {
      field.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusFirstError);
  } else {
    focusFirstError();
  }
})();
