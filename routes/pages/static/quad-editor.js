// Corners of the carton face on a filed reference photo: drag a corner, the face is
// flattened again on the server and the preview refreshes. (CSP: no inline script.)
"use strict";

function setUpQuadEditor(editor) {
  const svg = editor.querySelector("svg");
  const outline = svg.querySelector("polygon");
  const handles = Array.from(svg.querySelectorAll("circle"));
  const preview = editor.querySelector("img.rectified");
  const state = editor.querySelector(".quad-state");
  const check = editor.querySelector(".outline-check");
  let dragging = null;

  const corners = () => handles.map((h) => [Number(h.getAttribute("cx")), Number(h.getAttribute("cy"))]);
  const redraw = () => outline.setAttribute("points", corners().map((p) => p.join(",")).join(" "));
  const toSvg = (event) => {
    const point = svg.createSVGPoint();
    point.x = event.clientX; point.y = event.clientY;
    const p = point.matrixTransform(svg.getScreenCTM().inverse());
    const box = svg.viewBox.baseVal;
    return [Math.min(Math.max(p.x, 0), box.width), Math.min(Math.max(p.y, 0), box.height)];
  };

  async function save() {
    state.textContent = "…";
    try {
      const response = await fetch(editor.dataset.save, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ corners: corners() }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        if (check) check.remove();  // corners set by the exporter: nothing left to check
        state.textContent = "✔";
        state.className = "quad-state state ok";
        if (preview) preview.src = `${preview.dataset.src}?v=${Date.now()}`;
      } else {
        state.textContent = `✘ ${body.detail || response.status}`;
        state.className = "quad-state state err";
      }
    } catch (e) {
      state.textContent = "✘";
      state.className = "quad-state state err";
    }
  }

  const confirm = editor.querySelector(".confirm-outline");
  if (confirm) confirm.addEventListener("click", save);

  for (const handle of handles) {
    handle.addEventListener("pointerdown", (event) => {
      dragging = handle;
      handle.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    handle.addEventListener("pointermove", (event) => {
      if (dragging !== handle) return;
      const [x, y] = toSvg(event);
      handle.setAttribute("cx", x.toFixed(1));
      handle.setAttribute("cy", y.toFixed(1));
      redraw();
    });
    handle.addEventListener("pointerup", () => {
      if (dragging !== handle) return;
      dragging = null;
      save();
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const editor of document.querySelectorAll(".quad-editor[data-save]")) setUpQuadEditor(editor);
});
