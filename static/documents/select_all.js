// A header checkbox that selects every row of its table.
document.querySelectorAll("[data-select-all]").forEach((all) => {
  all.addEventListener("change", () => {
    all.closest("table").querySelectorAll('tbody input[type="checkbox"]').forEach((box) => {
      box.checked = all.checked;
    });
  });
});
