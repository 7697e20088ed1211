// The statistics table as a bar chart (Chart.js, served from our own static files).
(function () {
  var data = JSON.parse(document.getElementById('statistics-data').textContent);
  var canvas = document.getElementById('statistics-chart');
  if (!canvas || !window.Chart) return;
  new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: [
        { label: data.month_label, data: data.month, backgroundColor: '#0b5cad' },
        { label: data.year_label, data: data.year, backgroundColor: '#9ec5ee' }
      ]
    },
    options: { animation: false, responsive: true, scales: { y: { beginAtZero: true } } }
  });
})();
