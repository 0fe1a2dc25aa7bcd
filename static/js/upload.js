// The import page: send the form with XMLHttpRequest so the upload shows its progress,
// then show the import report (or the errors) without leaving the page.
// Text from the server goes in with textContent only.

import { format } from "./page.js";

const form = document.getElementById("import-form");
const texts = JSON.parse(document.getElementById("upload-texts").textContent);
const progressBox = form.querySelector(".upload-progress");
const bar = document.getElementById("upload-progress");
const status = document.getElementById("upload-status");
const result = document.getElementById("import-result");
const submit = form.querySelector("button[type=submit]");

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function list(items, total) {
  const ul = element("ul", undefined, "record-errors");
  for (const item of items) {
    const li = element("li", item);
    li.dir = "auto";
    ul.append(li);
  }
  if (total > items.length) ul.append(element("li", format(texts.more, { count: total - items.length })));
  return ul;
}

function showReport(report) {
  const summary = element("h2", report.summary, "ok");
  summary.dir = "auto";
  result.replaceChildren(summary);
  const link = element("a", texts.view);
  link.href = report.articles_url;
  const p = element("p");
  p.append(link);
  result.append(p);
  if (report.skipped.length) {
    result.append(element("h3", texts.skipped));
    result.append(list(report.skipped.map((bad) => bad.message), report.skipped.length));
  }
}

function showFailure(body) {
  result.replaceChildren(element("h2", texts.failed, "error"));
  const detail = body.errors && body.errors.length ? body.detail.split("\n")[0] : body.detail;
  const p = element("p", detail, "error");
  p.dir = "auto";
  result.append(p);
  if (body.errors && body.errors.length > 1) {
    result.append(element("h3", texts.errors));
    result.append(list(body.errors, body.error_count || body.errors.length));
  }
}

function finish() {
  submit.disabled = false;
  progressBox.hidden = true;
  result.hidden = false;
  result.focus?.();
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.setRequestHeader("Accept", "application/json");
  xhr.responseType = "json";

  bar.max = 100;
  bar.value = 0;
  status.textContent = format(texts.uploading, { percent: 0 });
  progressBox.hidden = false;
  result.hidden = true;
  submit.disabled = true;

  xhr.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable) return;
    const percent = Math.floor((e.loaded / e.total) * 100);
    bar.value = percent;
    status.textContent = format(texts.uploading, { percent });
  });
  xhr.upload.addEventListener("load", () => {
    bar.removeAttribute("value"); // indeterminate while the server imports
    status.textContent = texts.importing;
  });
  xhr.addEventListener("load", () => {
    const body = xhr.response;
    if (xhr.status === 200 && body && body.summary) {
      showReport(body);
    } else {
      showFailure(body && body.detail ? body : { detail: `${texts.failed} (HTTP ${xhr.status})` });
    }
    finish();
  });
  xhr.addEventListener("error", () => {
    showFailure({ detail: texts.network });
    finish();
  });
  xhr.send(new FormData(form));
});
