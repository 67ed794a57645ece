// The guests' allergen card: one button to print it (the CSP allows no inline onclick).
document.getElementById("print-card").addEventListener("click", () => window.print());
