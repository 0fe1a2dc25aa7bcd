// The import page: upload → preview → import. The form is sent with XMLHttpRequest so the
// upload shows its progress. "Preview" asks the server what the import would store (the first
// articles, every refused file or record, the extra columns to map) and writes nothing;
// "Import" is enabled once a preview matches the form's current options. Changing an option
// previews again. Text from the server goes in with textContent only.

import { format } from "./page.js";

const form = document.getElementById("import-form");
const texts = JSON.parse(document.getElementById("upload-texts").textContent);
const columnChoices = JSON.parse(document.getElementById("column-choices").textContent);
const progressBox = form.querySelector(".upload-progress");
const bar = document.getElementById("upload-progress");
const status = document.getElementById("upload-status");
const result = document.getElementById("import-result");
const previewButton = document.getElementById("preview-button");
const importButton = document.getElementById("import-button");
const columnMap = document.getElementById("column-map");
const columnRows = document.getElementById("column-map-rows");
const titleRule = form.elements.title_rule;
const titleColumnField = document.getElementById("field-title_column");

let previewed = false; // a preview matches the form as it is
let previewedAs = null; // the form's options the shown preview was made with
let busy = false;
let again = false; // options changed while a request was running

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function list(items, total, className = "record-errors") {
  const ul = element("ul", undefined, className);
  for (const item of items) {
    const li = element("li", item);
    li.dir = "auto";
    ul.append(li);
  }
  if (total > items.length) ul.append(element("li", format(texts.more, { count: total - items.length })));
  return ul;
}

function setImportReady(ready, count) {
  previewed = ready;
  importButton.disabled = !ready;
  importButton.textContent = ready && count !== undefined ? format(texts.import_n, { count }) : importButton.dataset.label;
}

function showTitleColumn() {
  titleColumnField.hidden = titleRule.value !== "column";
}

// One select per extra column, keeping the choices already made.
function showColumns(columns) {
  const chosen = {};
  for (const select of columnRows.querySelectorAll("select")) chosen[select.name] = select.value;
  columnRows.replaceChildren();
  columns.forEach((column, index) => {
    const row = element("div", undefined, "field map-row");
    const label = element("label", column);
    label.htmlFor = `map-${index}`;
    label.dir = "ltr";
    const select = element("select");
    select.name = `map.${column}`;
    select.id = `map-${index}`;
    for (const [value, text] of columnChoices) {
      const option = element("option", text);
      option.value = value;
      select.append(option);
    }
    select.value = chosen[select.name] || "metadata";
    row.append(label, select);
    columnRows.append(row);
  });
  columnMap.hidden = columns.length === 0;
}

function cell(text, { dir = "auto", lang, className } = {}) {
  const td = element("td", text, className);
  td.dir = dir;
  if (lang) td.lang = lang;
  return td;
}

function showPreview(preview) {
  const heading = element("h2", format(texts.preview_title, { count: preview.count, corpus: preview.corpus.name }));
  heading.dir = "auto";
  result.replaceChildren(heading);
  if (preview.already_in_corpus || preview.repeated) {
    const text = format(texts.duplicates, { already: preview.already_in_corpus, repeated: preview.repeated });
    result.append(element("p", text, "muted"));
  }
  if (preview.refused.length) {
    result.append(element("h3", format(texts.refused, { count: preview.refused.length }), "error"));
    result.append(list(preview.refused.map((bad) => bad.message), preview.refused.length, "record-errors refused"));
    if (!form.elements.skip_bad.checked) result.append(element("p", texts.refused_all, "muted"));
  }
  if (preview.articles.length) {
    const table = element("table", undefined, "preview-table");
    const head = element("tr");
    for (const name of ["from", "title", "text", "metadata"]) {
      const th = element("th", texts[name]);
      th.scope = "col";
      head.append(th);
    }
    table.append(element("thead"));
    table.tHead.append(head);
    const body = element("tbody");
    for (const article of preview.articles) {
      const row = element("tr");
      const excerpt = article.excerpt + (article.length > article.excerpt.length ? "…" : "");
      const metadata = element("td");
      metadata.dir = "ltr";
      for (const [key, value] of Object.entries(article.metadata)) {
        metadata.append(element("div", `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`));
      }
      row.append(
        cell(article.origin, { dir: "ltr", className: "nowrap" }),
        cell(article.title || texts.no_title, { className: article.title ? "" : "muted" }),
        cell(excerpt, { dir: "rtl", lang: "ar", className: "excerpt" }),
        metadata,
      );
      body.append(row);
    }
    table.append(body);
    const scroll = element("div", undefined, "table-scroll");
    scroll.append(table);
    result.append(scroll);
  }
  showColumns(preview.extra_columns);
  const importable = preview.count > 0 && (preview.refused.length === 0 || form.elements.skip_bad.checked);
  setImportReady(importable, preview.count);
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
  setImportReady(false);
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

function send(preview) {
  if (busy) {
    again = preview;
    return;
  }
  const data = new FormData(form);
  if (preview) data.set("preview", "1");
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.setRequestHeader("Accept", "application/json");
  xhr.responseType = "json";

  busy = true;
  bar.max = 100;
  bar.value = 0;
  status.textContent = format(texts.uploading, { percent: 0 });
  progressBox.hidden = false;
  previewButton.disabled = true;
  importButton.disabled = true;

  xhr.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable) return;
    const percent = Math.floor((e.loaded / e.total) * 100);
    bar.value = percent;
    status.textContent = format(texts.uploading, { percent });
  });
  xhr.upload.addEventListener("load", () => {
    bar.removeAttribute("value"); // indeterminate while the server reads or imports
    status.textContent = preview ? texts.previewing : texts.importing;
  });
  const done = () => {
    busy = false;
    previewButton.disabled = false;
    progressBox.hidden = true;
    result.hidden = false;
    if (again !== false) {
      const next = again;
      again = false;
      send(next);
    } else if (!preview) {
      result.focus?.();
    }
  };
  xhr.addEventListener("load", () => {
    const body = xhr.response;
    if (xhr.status === 200 && body && preview && body.articles) {
      showPreview(body);
      previewedAs = signature();
    } else if (xhr.status === 200 && body && body.summary) {
      showReport(body);
      previewedAs = null;
    } else {
      setImportReady(false);
      showFailure(body && body.detail ? body : { detail: `${texts.failed} (HTTP ${xhr.status})` });
    }
    done();
  });
  xhr.addEventListener("error", () => {
    setImportReady(false);
    showFailure({ detail: texts.network });
    done();
  });
  xhr.send(data);
}

// The form's options and files, to tell whether they changed since the preview.
function signature() {
  const parts = [];
  for (const [key, value] of new FormData(form)) {
    parts.push(key, value instanceof File ? `${value.name}:${value.size}:${value.lastModified}` : value);
  }
  return JSON.stringify(parts);
}

function ready() {
  return form.elements.file.files.length > 0 && form.elements.corpus.value.trim() !== "";
}

let timer = null;
function optionsChanged(event) {
  showTitleColumn();
  if (previewedAs !== null && signature() === previewedAs) return; // nothing that matters changed
  if (previewed) {
    setImportReady(false);
    status.textContent = texts.stale;
  }
  clearTimeout(timer);
  if (ready()) timer = setTimeout(() => send(true), event.type === "input" ? 400 : 0);
}

importButton.dataset.label = importButton.textContent;
setImportReady(false);
showTitleColumn();
form.addEventListener("change", optionsChanged);
form.addEventListener("input", (event) => {
  if (event.target === form.elements.title_column) optionsChanged(event);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const preview = event.submitter !== importButton;
  if (!preview && !previewed) return;
  send(preview);
});
