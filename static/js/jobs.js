// Background jobs on the data page: start an export or an import through the REST API, then
// poll the job until it is done or has failed, showing progress, the download link, the
// errors and a retry button. Without this module the export form still posts to the page.

import { ApiError, NetworkError, apiFetch, readCookie } from "./api.js";
import { format } from "./page.js";

const S = JSON.parse(document.getElementById("job-strings").textContent);
const ACTIVE = new Set(["queued", "running"]);

// ---- pure helpers ----

export function jobText(job, strings = S) {
  if (job.status === "queued") return strings.queued;
  if (job.status === "running") return format(strings.running, { done: job.progress, total: job.total || "?" });
  if (job.status === "failed") return format(strings.failed, { error: job.error });
  if (job.kind === "import_annotations" && job.result) {
    return format(strings.imported, { annotations: job.result.annotations ?? 0, gold: job.result.gold ?? 0 });
  }
  return strings.done;
}

export function nextDelay(previous) {
  return Math.min(3000, Math.round(previous * 1.5));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the list of recent jobs: a job started or finished here shows there at once ----

const jobsTable = document.getElementById("jobs-table");
const jobsBody = document.getElementById("jobs-body");
const jobsEmpty = document.getElementById("jobs-empty");

function downloadLabel() {
  const link = document.querySelector(".job-download");
  return (link && link.textContent.trim()) || S.done;
}

// The row of `job` in the list (added at the top when it is not there yet), brought up to date.
export function showInList(job) {
  if (!jobsBody || !job.url) return null;
  let row = [...jobsBody.querySelectorAll(".job-row")].find((r) => r.dataset.job === job.url);
  if (!row) {
    row = document.createElement("tr");
    row.className = "job-row";
    row.dataset.job = job.url;
    for (let k = 0; k < 5; k++) row.append(document.createElement("td"));
    row.children[2].className = "job-text";
    jobsBody.prepend(row);
  }
  row.dataset.status = job.status;
  const cells = row.children;
  if (job.id !== undefined) cells[0].textContent = String(job.id);
  if (job.kind) cells[1].textContent = job.kind;
  cells[2].textContent = jobText(job);
  if (job.created_at) cells[3].textContent = job.created_at.slice(0, 16);
  if (job.download) {
    const link = document.createElement("a");
    link.className = "button";
    link.href = job.download;
    link.textContent = downloadLabel();
    cells[4].replaceChildren(link);
  }
  if (jobsTable) jobsTable.hidden = false;
  if (jobsEmpty) jobsEmpty.hidden = true;
  return row;
}

// ---- showing a job ----

function show(job, view) {
  showInList(job);
  view.root.hidden = false;
  view.root.dataset.status = job.status;
  const progress = view.root.querySelector("progress");
  if (progress) {
    const done = job.status === "done";
    progress.max = Math.max(1, job.total);
    progress.value = done ? progress.max : Math.min(job.progress, progress.max);
  }
  view.root.querySelector(".job-text").textContent = jobText(job);
  const download = view.root.querySelector(".job-download");
  if (download) {
    download.hidden = !job.download;
    if (job.download) download.href = job.download;
  }
  const errors = view.root.querySelector(".job-errors");
  if (errors) {
    const items = ((job.result && job.result.errors) || []).slice(0, 50).map((error) => {
      const item = document.createElement("li");
      const where = error.line ? `${error.file}, line ${error.line}` : error.file;
      item.textContent = `${where}: ${error.field ? `${error.field}: ` : ""}${error.message}`;
      item.dir = "auto";
      return item;
    });
    errors.replaceChildren(...items);
  }
  const retry = view.root.querySelector(".job-retry");
  if (retry) {
    retry.hidden = !job.retry;
    retry.onclick = job.retry ? () => retryJob(job, view) : null;
  }
}

async function follow(job, view) {
  show(job, view);
  let delay = 400;
  while (ACTIVE.has(job.status)) {
    await sleep(delay);
    delay = nextDelay(delay);
    try {
      job = (await apiFetch(job.url)).data;
    } catch (error) {
      if (error instanceof NetworkError) {
        view.root.querySelector(".job-text").textContent = S.offline;
        continue;
      }
      throw error;
    }
    show(job, view);
  }
  return job;
}

async function retryJob(job, view) {
  try {
    const { data } = await apiFetch(job.retry, { method: "POST" });
    await follow(data, view);
  } catch (error) {
    showError(view, error);
  }
}

function showError(view, error) {
  view.root.hidden = false;
  let detail = error.message;
  if (error instanceof ApiError) detail = error.field ? `${error.field}: ${error.detail}` : error.detail;
  view.root.querySelector(".job-text").textContent = format(S.error, { detail });
}

// ---- the export form ----

const exportForm = document.getElementById("export-form");
if (exportForm) {
  const view = { root: document.getElementById("export-job") };
  exportForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(exportForm);
    const body = {
      formats: form.getAll("formats"),
      seed: Number.parseInt(form.get("seed") || "0", 10),
      ratios: String(form.get("ratios") || ""),
      group_by: String(form.get("group_by") || "").trim(),
      stratify_by: String(form.get("stratify_by") || ""),
      stance_title: form.get("stance_title") === "on",
    };
    const button = exportForm.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const { data } = await apiFetch(exportForm.dataset.api, { method: "POST", body });
      await follow(data, view);
    } catch (error) {
      showError(view, error);
    } finally {
      button.disabled = false;
    }
  });
}

// ---- the import form (multipart: the file goes as is) ----

const importForm = document.getElementById("import-form");
if (importForm) {
  const view = { root: document.getElementById("import-job") };
  importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = importForm.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const response = await fetch(importForm.dataset.api, {
        method: "POST",
        body: new FormData(importForm),
        headers: { Accept: "application/json", "X-CSRFToken": readCookie("csrftoken") || "" },
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw new ApiError(response.status, data);
      await follow(data, view);
    } catch (error) {
      showError(view, error instanceof TypeError ? new NetworkError(error) : error);
    } finally {
      button.disabled = false;
    }
  });
}

// ---- jobs still running when the page was loaded ----

for (const row of document.querySelectorAll(".job-row")) {
  if (!ACTIVE.has(row.dataset.status)) continue;
  (async () => {
    let delay = 1000;
    let job = { status: row.dataset.status };
    while (ACTIVE.has(job.status)) {
      await sleep(delay);
      delay = nextDelay(delay);
      try {
        job = (await apiFetch(row.dataset.job)).data;
      } catch {
        continue;
      }
      showInList(job);
    }
  })();
}
