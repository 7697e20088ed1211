// While an import is being checked, follow its progress; show the records when done.
(function () {
  const box = document.getElementById("import-batch");
  if (!box || !["QUEUED", "RUNNING"].includes(box.dataset.state)) return;
  const bar = box.querySelector("progress");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (data && data.finished) return window.location.reload();
        if (data && bar) bar.value = data.percent;
        setTimeout(poll, 1000);
      })
      .catch(() => setTimeout(poll, 2000));
  }
  poll();
})();
