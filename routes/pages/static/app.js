// ClearLane pages: a little plain JavaScript, no libraries, no external requests.
"use strict";

function i18n() {
  const node = document.getElementById("i18n");
  return node ? JSON.parse(node.textContent) : {};
}

// --- ISO 6346 container numbers: the same rule the server applies ----------------------------
const LETTERS = (() => {
  const values = {};
  let v = 10;
  for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
    if (v % 11 === 0) v += 1;
    values[ch] = v;
    v += 1;
  }
  return values;
})();

function checkDigit(firstTen) {
  let total = 0;
  for (let i = 0; i < 10; i += 1) {
    const ch = firstTen[i];
    const value = /\d/.test(ch) ? Number(ch) : LETTERS[ch];
    total += value * 2 ** i;
  }
  return (total % 11) % 10;
}

function checkContainer(input) {
  const out = input.parentElement.querySelector(".check-result");
  const text = i18n();
  const raw = input.value.replace(/[\s-]/g, "").toUpperCase();
  input.classList.remove("valid", "invalid");
  if (out) { out.textContent = ""; out.className = "check-result"; }
  if (!raw) { input.setCustomValidity(""); return; }
  let message = "";
  let ok = false;
  if (!/^[A-Z]{3}[UJZ]\d{7}$/.test(raw)) {
    message = raw.length < 11 ? "" : text.bad_format;
    if (raw.length >= 11) input.setCustomValidity(message);
    else input.setCustomValidity(text.bad_format || "invalid");
    if (raw.length < 11 && out) { out.textContent = `${raw.length}/11`; }
  } else {
    const expected = checkDigit(raw.slice(0, 10));
    ok = expected === Number(raw[10]);
    message = ok ? text.ok : (text.bad_digit || "").replace("{digit}", String(expected));
    input.setCustomValidity(ok ? "" : message);
  }
  if (raw.length >= 11 || ok) input.classList.add(ok ? "valid" : "invalid");
  if (out && message) { out.textContent = (ok ? "✔ " : "✘ ") + message; out.classList.add(ok ? "ok" : "bad"); }
}

// --- uploads with a progress bar per file ------------------------------------------------------
function uploadOne(zone, file, list, done) {
  const item = document.createElement("li");
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = file.name;
  const bar = document.createElement("progress");
  bar.max = 100;
  bar.value = 0;
  const state = document.createElement("span");
  state.className = "state";
  state.textContent = "0%";
  item.append(name, bar, state);
  list.append(item);

  const form = new FormData();
  form.append("file", file);
  for (const [key, value] of Object.entries(zone.dataset)) {
    if (key.startsWith("field")) form.append(key.slice(5).toLowerCase(), value);
  }
  const xhr = new XMLHttpRequest();
  xhr.open("POST", zone.dataset.upload);
  xhr.setRequestHeader("Accept", "application/json");
  xhr.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) {
      bar.value = Math.round((event.loaded / event.total) * 100);
      state.textContent = `${bar.value}%`;
    }
  });
  xhr.addEventListener("load", () => {
    let body = {};
    try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
    if (xhr.status >= 200 && xhr.status < 300) {
      bar.value = 100;
      state.textContent = "✔";
      state.className = "state ok";
      item.dataset.result = "ok";
      const thumbs = zone.closest(".face")?.querySelector(".thumbs");
      if (thumbs) {
        const img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.width = 120; img.height = 90; img.alt = file.name;
        thumbs.append(img);
      }
      done(true);
    } else {
      const zh = document.documentElement.lang.startsWith("zh") && body.detail_zh;
      state.textContent = `✘ ${zh || body.detail || xhr.status}`;
      state.className = "state err";
      item.dataset.result = "error";
      done(false);
    }
  });
  xhr.addEventListener("error", () => {
    state.textContent = "✘";
    state.className = "state err";
    item.dataset.result = "error";
    done(false);
  });
  xhr.send(form);
}

function uploadAll(zone, files) {
  const list = zone.parentElement.querySelector(".uploads");
  let pending = files.length;
  let anyOk = false;
  for (const file of files) {
    uploadOne(zone, file, list, (ok) => {
      anyOk = anyOk || ok;
      pending -= 1;
      if (pending === 0 && anyOk && zone.dataset.after === "poll") poll(zone.dataset.poll);
    });
  }
}

function setUpDropzone(zone) {
  const input = zone.querySelector("input[type=file]");
  input.addEventListener("change", () => { uploadAll(zone, Array.from(input.files)); input.value = ""; });
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    uploadAll(zone, Array.from(event.dataTransfer.files));
  });
}

// --- watching screening: reload when the declaration's state moves on ---------------------------
function poll(url) {
  const started = document.body.dataset.version;
  const tick = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const body = await response.json();
        if (String(body.version) !== started && body.status !== "SCREENING") {
          window.location.replace(window.location.pathname);
          return;
        }
      }
    } catch (e) { /* the server restarts: try again */ }
    window.setTimeout(tick, 1000);
  };
  window.setTimeout(tick, 500);
}

// --- new status changes appear on any exporter page without a reload (polling) -------------
function watchEvents(panel) {
  let after = null;
  const list = panel.querySelector("ul");
  const tick = async () => {
    try {
      const query = after === null ? "" : `?after=${after}`;
      const response = await fetch(panel.dataset.feed + query,
                                   { headers: { Accept: "application/json" } });
      if (response.ok) {
        const body = await response.json();
        for (const event of body.events) {
          const item = document.createElement("li");
          item.dataset.event = event.id;
          const link = document.createElement("a");
          link.href = `/exporter/declarations/${event.declaration_id}`;
          link.textContent = event.declaration_no;
          item.append(`${panel.dataset.label} `, link, ` → ${event.status}`);
          list.prepend(item);
          panel.hidden = false;
        }
        after = body.newest;
      }
    } catch (e) { /* the server restarts: try again */ }
    window.setTimeout(tick, 3000);
  };
  tick();
}

// --- a plan being built: follow its job, open the plan when it is saved ----------------------
function followPlanJob(card) {
  const bar = card.querySelector("progress");
  const tick = async () => {
    try {
      const response = await fetch(card.dataset.poll, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const job = await response.json();
        if (bar) { bar.value = job.percent; bar.textContent = `${job.percent} %`; }
        if (job.plan_id || job.status === "failed") {
          window.location.replace(window.location.pathname);
          return;
        }
      }
    } catch (e) { /* the server restarts: try again */ }
    window.setTimeout(tick, 700);
  };
  window.setTimeout(tick, 300);
}

// --- repeating form rows ---------------------------------------------------------------------
function addRow(tableId) {
  const body = document.querySelector(`#${tableId} tbody`);
  const row = body.querySelector("tr").cloneNode(true);
  for (const input of row.querySelectorAll("input")) {
    input.value = "";
    input.classList.remove("valid", "invalid");
    input.setCustomValidity("");
  }
  for (const out of row.querySelectorAll(".check-result")) { out.textContent = ""; }
  body.append(row);
  row.querySelector("input")?.focus();
}

// --- long form posts (building a dispatch plan): say it is working, with the seconds so far --
function showBusy(form) {
  const button = form.querySelector("button[type=submit]");
  const note = document.createElement("span");
  note.className = "busy small muted";
  note.setAttribute("role", "status");
  form.append(note);
  const started = Date.now();
  const update = () => {
    note.textContent = ` ${form.dataset.busy} ${Math.round((Date.now() - started) / 1000)} s`;
  };
  update();
  window.setInterval(update, 1000);
  if (button) window.setTimeout(() => { button.disabled = true; }, 0);
}

document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("submit", (event) => {
    if (event.target.matches("form[data-busy]")) showBusy(event.target);
  });
  for (const zone of document.querySelectorAll(".dropzone[data-upload]")) setUpDropzone(zone);
  const waiting = document.getElementById("screening-wait");
  if (waiting) poll(waiting.dataset.poll);
  const live = document.getElementById("live-events");
  if (live) watchEvents(live);
  const planJob = document.getElementById("plan-job");
  if (planJob && planJob.querySelector("progress")) followPlanJob(planJob);
  document.addEventListener("input", (event) => {
    if (event.target.matches("input.container-no")) checkContainer(event.target);
  });
  for (const input of document.querySelectorAll("input.container-no")) if (input.value) checkContainer(input);
  document.addEventListener("click", (event) => {
    const target = event.target;
    if (target.matches(".add-row")) addRow(target.dataset.table);
    if (target.matches(".remove-row")) {
      const body = target.closest("tbody");
      if (body.querySelectorAll("tr").length > 1) target.closest("tr").remove();
    }
    if (target.matches("[data-print]")) window.print();
    if (target.matches("[data-back]") && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
    if (target.matches("[data-confirm]") && !window.confirm(target.dataset.confirm)) event.preventDefault();
  });
});
