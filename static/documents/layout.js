// Live preview of the certificate print layout: each input moves or resizes its field.
(function () {
  const form = document.getElementById("layout-form");
  if (!form) return;
  const units = { x: ["left", "mm"], y: ["top", "mm"], size: ["fontSize", "pt"] };
  form.addEventListener("input", (event) => {
    const match = /^(.+)-(x|y|size)$/.exec(event.target.name || "");
    if (!match) return;
    const box = document.querySelector(`[data-preview="${match[1]}"]`);
    const value = parseFloat(event.target.value);
    if (!box || Number.isNaN(value)) return;
    const [property, unit] = units[match[2]];
    box.style[property] = value + unit;
  });
})();
