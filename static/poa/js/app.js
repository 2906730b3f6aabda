/* Behaviour every page may use, declared in the markup instead of inline handlers (the
   Content-Security-Policy allows no inline script):
   confirmations are in-page windows (_transition_modal.html), never the browser's confirm();
   <button data-print> prints the page;
   <form data-logout> forgets the capture drafts kept in this browser (capture.js), after
   asking when the grid on the page has figures typed and not saved: on a shared computer the
   next person must not find them. */
(function () {
  "use strict";

  var DRAFTS = "poa-captura:";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-logout]")) return;
    var storage;
    try {
      storage = window.localStorage;
    } catch (error) {
      return; // storage disabled: there is nothing kept to forget
    }
    var grid = document.querySelector("form[data-draft-key]");
    if (
      grid && storage.getItem(grid.dataset.draftKey) !== null &&
      !window.confirm(form.dataset.logout)
    ) {
      event.preventDefault();
      return;
    }
    Object.keys(storage).forEach(function (key) {
      if (key.indexOf(DRAFTS) === 0) storage.removeItem(key);
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });
})();

/* A box that scrolls sideways (a wide table, the TMM-F004 on a phone) is reachable with the
   keyboard, so its hidden columns can be scrolled into view with the arrow keys. */
(function () {
  "use strict";

  document.querySelectorAll(".table-responsive, .tmm-f004-sheet").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
    }
  });
})();
