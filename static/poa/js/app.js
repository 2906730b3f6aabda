/* Behaviour every page may use, declared in the markup instead of inline handlers (the
   Content-Security-Policy allows no inline script):
   <form data-confirm="¿...?"> asks before submitting; <button data-print> prints the page. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });
})();
