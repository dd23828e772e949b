// Draws the dashboard's charts from the JSON the page embeds; the numbers are also on the page as text.
(() => {
    const source = document.getElementById("chart-data");
    if (!source || typeof Chart === "undefined") {
        return;
    }
    const data = JSON.parse(source.textContent);
    Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
    Chart.defaults.color = "#4f5b69";

    const funnel = document.getElementById("funnel-chart");
    if (funnel) {
        new Chart(funnel, {
            type: "bar",
            data: {
                labels: data.funnel.labels,
                datasets: [{ label: "Exams", data: data.funnel.values, backgroundColor: ["#9db4e0", "#6f93d6", "#4a76c9", "#2a5bb8", "#146c2e"] }],
            },
            options: { maintainAspectRatio: false, indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
        });
    }

    const cumulative = document.getElementById("cumulative-chart");
    if (cumulative) {
        new Chart(cumulative, {
            type: "line",
            data: {
                labels: data.cumulative.days,
                datasets: [
                    { label: "Received", data: data.cumulative.received, borderColor: "#1747a6", backgroundColor: "#1747a6", stepped: true },
                    { label: "Published", data: data.cumulative.published, borderColor: "#146c2e", backgroundColor: "#146c2e", stepped: true, borderDash: [6, 3] },
                ],
            },
            options: { maintainAspectRatio: false, plugins: { legend: { labels: { usePointStyle: true } } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
        });
    }
})();
