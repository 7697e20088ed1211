// Header form helpers: the customs district follows the chosen import port;
// principal fields only when filing as an agent; the address only for mail.
(function () {
  "use strict";
  document.addEventListener("ref-picker:change", (event) => {
    const input = event.target.querySelector("[data-ref-input]");
    const target = input && document.querySelector(`[data-district-for="${input.id}"]`);
    if (target && event.detail.customs_district) target.value = event.detail.customs_district.label;
  });

  function toggle(fieldIds, show) {
    fieldIds.forEach((id) => {
      const el = document.getElementById(id);
      const wrapper = el && el.closest(".field");
      if (wrapper) wrapper.hidden = !show;
    });
  }

  function refresh() {
    const agent = document.getElementById("id_is_agent");
    if (agent) toggle(["id_principal_uscc", "id_principal_name"], agent.checked);
    const mail = document.querySelector("input[name=collection_method][value=MAIL]");
    if (mail) toggle(["id_mail_address"], mail.checked);
  }

  document.addEventListener("change", (event) => {
    if (event.target.id === "id_is_agent" || event.target.name === "collection_method") refresh();
  });
  document.addEventListener("DOMContentLoaded", refresh);
})();
