// The review history (审批记录) of a listed application, fetched when its pop-up first opens.
document.addEventListener("toggle", (event) => {
  const details = event.target;
  if (!(details instanceof HTMLDetailsElement) || !details.open || !details.dataset.history) return;
  const body = details.querySelector("[data-history-body]");
  const url = details.dataset.history;
  delete details.dataset.history;
  fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
    .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
    .then((html) => { body.innerHTML = html; })
    .catch(() => { details.dataset.history = url; });
}, true);
