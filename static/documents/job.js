// Follows a document job until its file is ready, then offers the download.
(function () {
  const box = document.getElementById("job");
  if (!box) return;
  const bar = box.querySelector("progress");
  function show(data) {
    bar.value = data.percent;
    box.querySelector("[data-job-label]").textContent = data.state_label;
    box.querySelector("[data-job-done]").textContent = data.done;
    box.querySelector("[data-job-total]").textContent = data.total;
    box.dataset.state = data.state;
    if (data.state === "DONE") {
      box.querySelector("[data-job-download]").href = data.download;
      box.querySelector("[data-job-ready]").hidden = false;
    }
    if (data.state === "FAILED") box.querySelector("[data-job-failed]").hidden = false;
  }
  function poll() {
    if (box.dataset.state === "DONE" || box.dataset.state === "FAILED") return;
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => { if (data) show(data); })
      .finally(() => setTimeout(poll, 1000));
  }
  poll();
})();
