// The customs district follows the chosen import port: fill it when a port is picked.
document.addEventListener("ref-picker:change", (event) => {
  const input = event.target.querySelector("[data-ref-input]");
  const target = input && document.querySelector(`[data-district-for="${input.id}"]`);
  if (target && event.detail.customs_district) target.value = event.detail.customs_district.label;
});
