// The marks the filing being typed will expect, from the server's rules table, updated as the
// exporter changes the UN numbers, transport mode or provision. (CSP: no inline script.)
"use strict";

function setUpRegimePreview(box) {
  const form = box.closest("form");
  const list = box.querySelector("ul");
  const lang = document.documentElement.lang || "en";
  let timer = null;

  async function refresh() {
    const params = new URLSearchParams({
      un_numbers: form.elements.un_numbers.value,
      transport_mode: form.elements.transport_mode.value,
      provision: form.elements.provision.value,
    });
    if (!form.elements.un_numbers.value.trim()) { list.replaceChildren(); return; }
    try {
      const response = await fetch(`${box.dataset.preview}?${params}`, { headers: { Accept: "application/json" } });
      const body = await response.json();
      const items = response.ok ? body.items : [];
      const rows = items.map((item) => {
        const li = document.createElement("li");
        li.className = item.required ? "required" : "forbidden";
        li.textContent = `${item.required ? "✔" : "✘"} ${item.explanation[lang] || item.explanation.en} (${item.sources.join("; ")})`;
        return li;
      });
      if (!response.ok) {
        const li = document.createElement("li");
        li.className = "forbidden";
        li.textContent = `✘ ${body.detail}`;
        rows.push(li);
      }
      list.replaceChildren(...rows);
    } catch (e) { /* offline: the filing page shows the marks after saving */ }
  }

  form.addEventListener("input", () => { window.clearTimeout(timer); timer = window.setTimeout(refresh, 250); });
  form.addEventListener("change", refresh);
  refresh();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll(".regime-preview[data-preview]")) setUpRegimePreview(box);
});
