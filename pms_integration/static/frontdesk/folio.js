// The folio's Print button: wired here because the Content-Security-Policy forbids inline handlers.
document.querySelector('[data-action="print"]')?.addEventListener("click", () => window.print());
