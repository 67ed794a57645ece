// A report page: draws the chart from the JSON block the server wrote (amounts in cents),
// keeps the period's form honest (typed dates mean "custom") and prints.
import { money } from "/static/waiter/money.js";

const PALETTE = ["#1f6f5c", "#d08a2e", "#3b5b92", "#a23b3b", "#6b4e9b", "#4f8a3c", "#8a6d3b", "#2e8fa3"];

function drawChart() {
  const data = document.getElementById("report-chart-data");
  const canvas = document.getElementById("report-canvas");
  if (!data || !canvas || !window.Chart) return null;
  const chart = JSON.parse(data.textContent);
  const round = chart.kind === "doughnut";
  const datasets = chart.datasets.map((set, index) => ({
    label: set.label,
    data: set.data,
    backgroundColor: round ? PALETTE : PALETTE[index % PALETTE.length],
    borderWidth: round ? 1 : 0,
  }));
  const language = document.documentElement.lang || "en";
  const minutes = new Intl.NumberFormat(language, { maximumFractionDigits: 1 });
  const show = chart.unit === "minutes" ? (value) => minutes.format(value) : (value) => money(value);
  const tooltip = { callbacks: { label: (item) => `${item.dataset.label}: ${show(item.raw)}` } };
  const valueAxis = { ticks: { callback: (value) => show(value) }, beginAtZero: true };
  const options = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false, // a report is read, not watched; printing needs it drawn at once
    indexAxis: chart.horizontal ? "y" : "x",
    plugins: { tooltip, legend: { display: round || datasets.length > 1 } },
  };
  if (!round) options.scales = chart.horizontal ? { x: valueAxis } : { y: valueAxis };
  return new window.Chart(canvas, { type: chart.kind, data: { labels: chart.labels, datasets }, options });
}

function keepFormHonest() {
  const preset = document.getElementById("report-preset");
  for (const id of ["report-from", "report-to"]) {
    document.getElementById(id)?.addEventListener("change", () => {
      if (preset) preset.value = "custom";
    });
  }
  // A preset picked means its own dates: the typed ones would only confuse the next reader.
  preset?.addEventListener("change", () => {
    if (preset.value !== "custom") preset.form.requestSubmit();
  });
}

document.getElementById("report-print")?.addEventListener("click", () => window.print());
keepFormHonest();
window.tafelReportChart = drawChart();
