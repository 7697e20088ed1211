// 查询审批状态: ask for the application's status now and show it without leaving the page
// (without script the button reloads the page, which shows it too).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-refresh-status]");
  if (!button) return;
  event.preventDefault();
  const said = document.getElementById("status-checked");
  fetch(button.dataset.refreshStatus, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
    .then((now) => {
      const status = document.getElementById("status");
      const changed = status.textContent.trim() !== now.label;
      status.textContent = now.label;
      const customs = document.getElementById("customs-status");
      if (customs && now.customs) customs.textContent = now.customs;
      said.textContent = `${changed ? said.dataset.changed : said.dataset.same} ${now.checked}`;
      if (changed && now.certificate && !document.getElementById("certificate-number")) window.location.reload();
    })
    .catch(() => { said.textContent = said.dataset.failed; });
});
