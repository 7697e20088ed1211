// Ask before an irreversible or disruptive action: buttons carry data-confirm.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const message = button && button.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// Close the enclosing dialog (instead of an inline onclick, which the CSP forbids).
document.addEventListener("click", (event) => {
  const closer = event.target.closest("[data-close-dialog]");
  const dialog = closer && closer.closest("dialog");
  if (dialog) dialog.close();
});
