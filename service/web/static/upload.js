// Upload page: drag-and-drop or picker, one XHR per file with a progress bar, then live status
// from server-sent events until the document is read, needs review or failed.
import { csrfToken, el } from "./common.js";

const zone = document.getElementById("dropzone");
const picker = document.getElementById("picker");
const tbody = document.querySelector("#uploads tbody");
const rowTemplate = document.getElementById("upload-row");
const DONE = new Set(["extracted", "needs_review", "failed", "exported"]);
const LABELS = { received: "Received", queued: "Waiting", processing: "Reading", extracted: "Extracted",
  needs_review: "Needs review", failed: "Failed", exported: "Exported" };

function setStatus(row, status, label) {
  const badge = row.querySelector(".badge");
  badge.dataset.status = status;
  badge.textContent = label || LABELS[status] || status;
  row.dataset.status = status;
}

function showSummary(row, summary) {
  setStatus(row, summary.status, summary.label);
  row.querySelector(".error-text").textContent = summary.error || "";
  const next = row.querySelector(".next");
  next.replaceChildren();
  if (summary.status === "needs_review") next.append(el("a", "Review now", { href: summary.review_url, class: "button small primary" }));
  else if (DONE.has(summary.status)) next.append(el("a", "Open", { href: summary.detail_url, class: "button small" }));
}

async function refresh(row, id) {
  const response = await fetch(`/app/api/documents/${encodeURIComponent(id)}`, { headers: { Accept: "application/json" } });
  if (response.ok) showSummary(row, await response.json());
}

function follow(row, id) {
  const source = new EventSource(`/app/api/documents/${encodeURIComponent(id)}/events`);
  source.addEventListener("status", (event) => {
    const data = JSON.parse(event.data);
    if (data.status) setStatus(row, data.status);
    if (data.status && DONE.has(data.status)) { source.close(); refresh(row, id); }
  });
  source.addEventListener("end", () => { source.close(); refresh(row, id); });
  source.onerror = () => { source.close(); setTimeout(() => refresh(row, id), 1000); };
}

function uploadOne(file) {
  const row = rowTemplate.content.firstElementChild.cloneNode(true);
  row.querySelector(".name").textContent = file.name;
  tbody.prepend(row);
  const bar = row.querySelector("progress");
  const pct = row.querySelector(".pct");
  const form = new FormData();
  form.append("source", "web");
  form.append("file", file, file.name);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", zone.dataset.uploadUrl);
  xhr.setRequestHeader("X-CSRF-Token", csrfToken());
  xhr.setRequestHeader("Accept", "application/json");
  xhr.upload.addEventListener("progress", (event) => {
    if (!event.lengthComputable) return;
    const value = Math.round((event.loaded / event.total) * 100);
    bar.value = value;
    pct.textContent = `${value}%`;
  });
  xhr.addEventListener("load", () => {
    let body = {};
    try { body = JSON.parse(xhr.responseText); } catch (_) { body = {}; }
    if (xhr.status >= 400 || !body.documents) {
      setStatus(row, "failed", "Not uploaded");
      row.querySelector(".error-text").textContent = body.message || `The upload was refused (${xhr.status}).`;
      return;
    }
    bar.value = 100;
    pct.textContent = "100%";
    const doc = body.documents[0];
    row.dataset.documentId = doc.id;
    setStatus(row, doc.status);
    if (DONE.has(doc.status)) refresh(row, doc.id); else follow(row, doc.id);
  });
  xhr.addEventListener("error", () => {
    setStatus(row, "failed", "Not uploaded");
    row.querySelector(".error-text").textContent = "The connection dropped. Check your network and try again.";
  });
  xhr.send(form);
}

export function uploadFiles(files) {
  for (const file of files) uploadOne(file);
}

zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
zone.addEventListener("dragleave", () => zone.classList.remove("over"));
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  zone.classList.remove("over");
  if (event.dataTransfer && event.dataTransfer.files.length) uploadFiles(event.dataTransfer.files);
});
picker.addEventListener("change", () => { uploadFiles(picker.files); picker.value = ""; });
