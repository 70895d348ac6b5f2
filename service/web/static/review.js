// Review screen: highlight a field's box on the page image when it has focus, recompute the
// invoice arithmetic as you type (mirrors models.check_invoice_arithmetic; the server checks
// again on save), edit/add/delete line items, save and approve from the keyboard.
import { el, postJson } from "./common.js";

const root = document.getElementById("review");
const documentId = root.dataset.document;
const pageCount = Number(root.dataset.pages) || 0;
const image = document.getElementById("page-image");
const highlight = document.getElementById("highlight");
const pageLabel = document.getElementById("page-label");
const form = document.getElementById("review-form");
const checks = document.getElementById("checks");
const checksOk = document.getElementById("checks-ok");
const message = document.getElementById("message");
let page = 1;

function showPage(number) {
  if (!image || number < 1 || number > pageCount) return;
  page = number;
  image.src = `/app/documents/${documentId}/pages/${number}.png`;
  image.alt = `Page ${number} of the document`;
  pageLabel.textContent = `Page ${number} of ${pageCount}`;
}

function showBox(input) {
  const raw = input.dataset.box;
  if (!raw) { highlight.hidden = true; return; }
  const [p, x0, y0, x1, y1] = JSON.parse(raw);
  if (p + 1 !== page) showPage(p + 1);
  const pad = 0.004;
  highlight.style.left = `${(x0 - pad) * 100}%`;
  highlight.style.top = `${(y0 - pad) * 100}%`;
  highlight.style.width = `${(x1 - x0 + 2 * pad) * 100}%`;
  highlight.style.height = `${(y1 - y0 + 2 * pad) * 100}%`;
  highlight.hidden = false;
}

function money(text) {
  if (text === undefined || text === null) return null;
  let cleaned = String(text).trim().replace(/[$€£,\s]/g, "");
  if (/^\(.*\)$/.test(cleaned)) cleaned = `-${cleaned.slice(1, -1)}`;
  if (cleaned === "" || !/^-?\d*\.?\d+$/.test(cleaned)) return null;
  return Number(cleaned);
}

function headerValue(path) {
  const input = form && form.querySelector(`.header-fields [name="${path}"]`);
  return input ? input.value.trim() : "";
}

function lineRows() {
  return form ? [...form.querySelectorAll("#lines tbody tr")] : [];
}

function lineValue(row, name) {
  const input = row.querySelector(`[name="${name}"]`);
  return input ? input.value.trim() : "";
}

function checkArithmetic() {
  const issues = [];
  const bad = new Set();
  const amounts = [];
  lineRows().forEach((row, i) => {
    const q = money(lineValue(row, "quantity"));
    const p = money(lineValue(row, "unit_price"));
    const a = money(lineValue(row, "amount"));
    if (a !== null) amounts.push(a);
    if (q !== null && p !== null && a !== null && Math.abs(q * p - a) > 0.01 + Math.abs(q) * 0.005) {
      issues.push(`Line ${i + 1}: ${q} × ${p} = ${(q * p).toFixed(2)}, but the line says ${a.toFixed(2)}`);
      bad.add(row.querySelector('[name="amount"]'));
    }
  });
  const subtotal = money(headerValue("subtotal"));
  const tax = money(headerValue("tax_total")) || 0;
  const retainage = money(headerValue("retainage")) || 0;
  const total = money(headerValue("total"));
  const due = money(headerValue("amount_due"));
  if (subtotal !== null && amounts.length) {
    const sum = amounts.reduce((s, v) => s + v, 0);
    if (Math.abs(sum - subtotal) > Math.max(0.01, 0.005 * amounts.length)) {
      issues.push(`Line items add up to ${sum.toFixed(2)}, but the subtotal says ${subtotal.toFixed(2)}`);
      bad.add(form.querySelector('[name="subtotal"]'));
    }
  }
  if (subtotal !== null && total !== null) {
    const expected = subtotal + tax;
    if (Math.min(Math.abs(expected - total), Math.abs(expected - retainage - total)) > 0.015) {
      issues.push(`Subtotal ${subtotal.toFixed(2)} + tax ${tax.toFixed(2)} = ${expected.toFixed(2)}, but the total says ${total.toFixed(2)}`);
      bad.add(form.querySelector('[name="total"]'));
    }
  }
  if (total !== null && due !== null && total >= 0 && due > total + 0.01) {
    issues.push(`The amount due ${due.toFixed(2)} is more than the total ${total.toFixed(2)}`);
    bad.add(form.querySelector('[name="amount_due"]'));
  }
  const invoiceDate = headerValue("invoice_date");
  const dueDate = headerValue("due_date");
  if (/^\d{4}-\d\d-\d\d$/.test(invoiceDate) && /^\d{4}-\d\d-\d\d$/.test(dueDate) && dueDate < invoiceDate) {
    issues.push("The due date is before the invoice date");
    bad.add(form.querySelector('[name="due_date"]'));
  }
  form.querySelectorAll("input.bad").forEach((input) => input.classList.remove("bad"));
  bad.forEach((input) => input && input.classList.add("bad"));
  showIssues(issues);
  return issues;
}

function showIssues(issues) {
  checks.replaceChildren(...issues.map((text) => el("li", text, { class: "warn" })));
  checksOk.hidden = issues.length > 0;
}

function cleanValue(kind, value) {
  const trimmed = value.trim();
  if (trimmed === "") return null;
  if (kind === "money") return trimmed.replace(/[$€£,\s]/g, "");
  return trimmed;
}

function patch() {
  if (!form) return {};
  const invoice = {};
  form.querySelectorAll(".header-fields input").forEach((input) => {
    const [head, tail] = input.name.split(".");
    const value = cleanValue(input.dataset.kind, input.value);
    if (tail) { invoice[head] = invoice[head] || {}; invoice[head][tail] = value; }
    else invoice[head] = value;
  });
  invoice.line_items = lineRows().map((row) => {
    const line = {};
    row.querySelectorAll("input").forEach((input) => { line[input.name] = cleanValue(input.dataset.kind, input.value); });
    return line;
  }).filter((line) => Object.values(line).some((v) => v !== null));
  return { invoice };
}

function say(text, good) {
  message.textContent = text;
  message.className = `message ${good ? "good" : "bad"}`;
}

async function save() {
  const result = await postJson(`/app/api/documents/${documentId}/save`, patch());
  if (!result.ok) { say(result.data.message || "Could not save.", false); return; }
  const issues = (result.data.warnings || []).filter((w) => w.startsWith("arithmetic"));
  if (issues.length) showIssues(issues.map((w) => w.replace(/^arithmetic: /, "")));
  say(`Saved as version ${result.data.version}.`, true);
}

async function approve() {
  if (form && checkArithmetic().length) { say("Fix the checks above before approving.", false); return; }
  const result = await postJson(`/app/api/documents/${documentId}/approve`, patch());
  if (!result.ok) { say(result.data.message || "Could not approve.", false); return; }
  const targets = result.data.connectors || [];
  say(targets.length ? `Approved — exporting to ${targets.join(", ")}.` : "Approved.", true);
  const badge = document.querySelector(".review-head .badge");
  badge.dataset.status = "approved";
  badge.textContent = "Approved";
  const next = el("a", "Next in the review queue →", { href: result.data.next_url, class: "button small" });
  message.after(next);
  next.focus();
}

function addLine() {
  const row = document.getElementById("line-row").content.firstElementChild.cloneNode(true);
  form.querySelector("#lines tbody").append(row);
  row.querySelector("input").focus();
  checkArithmetic();
}

if (form) {
  form.addEventListener("input", checkArithmetic);
  form.addEventListener("focusin", (event) => { if (event.target.matches("input")) showBox(event.target); });
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button.remove");
    if (!button) return;
    button.closest("tr").remove();
    checkArithmetic();
  });
  document.getElementById("add-line").addEventListener("click", addLine);
  document.getElementById("save").addEventListener("click", save);
  checkArithmetic();
}
document.getElementById("approve").addEventListener("click", approve);
document.getElementById("prev-page").addEventListener("click", () => showPage(page - 1));
document.getElementById("next-page").addEventListener("click", () => showPage(page + 1));
document.addEventListener("keydown", (event) => {
  const key = event.key.toLowerCase();
  if ((event.ctrlKey || event.metaKey) && key === "enter") { event.preventDefault(); approve(); }
  else if (event.altKey && key === "a") { event.preventDefault(); approve(); }
  else if (event.altKey && key === "s" && form) { event.preventDefault(); save(); }
  else if (event.altKey && key === "l" && form) { event.preventDefault(); addLine(); }
  else if (event.altKey && key === "pagedown") { event.preventDefault(); showPage(page + 1); }
  else if (event.altKey && key === "pageup") { event.preventDefault(); showPage(page - 1); }
});
