// The manager's day report: the print button prints the page (its print stylesheet drops the buttons).
for (const button of document.querySelectorAll('[data-action="print"]')) {
  button.addEventListener("click", () => window.print());
}
