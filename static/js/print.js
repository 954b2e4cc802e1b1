// The print page's button: opens the browser's print dialog (the site's CSP forbids inline handlers).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector("[data-print]");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
});
