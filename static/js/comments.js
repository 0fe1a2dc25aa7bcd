// The annotation page's team tools (templates/annotate/team/): skip with a reason, flag or ask
// in the article's comment thread, ask for a reopen, acknowledge changed guidelines. Text goes
// in through textContent; a comment's Markdown arrives rendered and sanitised by the server
// (annotate.guidelines) and is parsed into an inert document before its nodes are adopted.

import { ApiError, apiFetch } from "./api.js";
import { $, format } from "./page.js";

// Alt+S skips, Alt+F flags (by physical key, so an Arabic layout works too); never inside a
// dialog, where the keys belong to the form.
export function teamCommand(event) {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return null;
  if (event.target && event.target.closest && event.target.closest("dialog")) return null;
  if (event.code === "KeyS") return "skip";
  if (event.code === "KeyF") return "flag";
  return null;
}

function sanitisedNodes(html) {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  return [...doc.body.childNodes].map((node) => document.adoptNode(node));
}

function commentItem(comment, strings) {
  const item = document.createElement("li");
  item.className = "comment";
  item.dataset.comment = comment.id;
  if (comment.by_lead) item.classList.add("by-lead");
  if (comment.unread) item.classList.add("unread");
  const head = document.createElement("p");
  head.className = "comment-head muted";
  const author = document.createElement("bdi");
  author.textContent = comment.author || "—";
  head.append(author);
  if (comment.by_lead) head.append(` · ${strings.lead}`);
  if (comment.flag_name) {
    const flag = document.createElement("span");
    flag.className = "comment-flag";
    flag.textContent = comment.flag_name;
    head.append(" · ", flag);
  }
  if (comment.unread) {
    const fresh = document.createElement("span");
    fresh.className = "comment-new";
    fresh.textContent = strings.new;
    head.append(" · ", fresh);
  }
  const body = document.createElement("div");
  body.className = "comment-body";
  body.dir = "auto";
  body.append(...sanitisedNodes(comment.body_html));
  item.append(head, body);
  return item;
}

export function renderThread(list, thread, strings) {
  list.replaceChildren();
  if (!thread.length) {
    const empty = document.createElement("li");
    empty.className = "muted empty";
    empty.textContent = strings.no_comments;
    list.append(empty);
    return;
  }
  for (const comment of thread) {
    const item = commentItem(comment, strings);
    if (comment.replies.length) {
      const replies = document.createElement("ol");
      replies.className = "comment-replies";
      replies.append(...comment.replies.map((reply) => commentItem(reply, strings)));
      item.append(replies);
    }
    list.append(item);
  }
}

function failure(strings, error) {
  const detail = error instanceof ApiError ? error.detail : error.message;
  return format(strings.failed, { detail });
}

export function startTeam(panel, data) {
  if (!panel || !data) return;
  const strings = data.strings;
  const flash = (message) => {
    const line = $("flash");
    if (line) line.textContent = message;
  };
  const list = $("comment-thread");
  const form = $("comment-form");

  async function loadThread() {
    const { data: thread } = await apiFetch(data.urls.thread);
    renderThread(list, thread, strings);
    if (thread.some((c) => c.unread || c.replies.some((r) => r.unread))) {
      await apiFetch(data.urls.read, { method: "POST" });
    }
    panel.dataset.loaded = "true";
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = $("comment-body").value;
    if (!body.trim()) return;
    try {
      await apiFetch(data.urls.thread, {
        method: "POST",
        body: { body, flag: $("comment-flag").value },
      });
      $("comment-body").value = "";
      $("comment-flag").value = "";
      flash(strings.sent);
      await loadThread();
    } catch (error) {
      flash(failure(strings, error));
    }
  });

  const flag = () => {
    panel.scrollIntoView({ block: "nearest" });
    $("comment-flag").focus();
  };
  $("flag-button")?.addEventListener("click", flag);

  const skipDialog = $("skip-dialog");
  const skip = () => {
    if (!$("skip-button") || skipDialog.open) return;
    $("skip-error").textContent = "";
    skipDialog.showModal();
  };
  $("skip-button")?.addEventListener("click", skip);
  $("skip-cancel")?.addEventListener("click", () => skipDialog.close());
  $("skip-form")?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const choice = skipDialog.querySelector("input[name=choice]:checked");
    const reason = $("skip-note").value;
    if (!(choice && choice.value) && !reason.trim()) {
      $("skip-error").textContent = strings.pick_reason;
      return;
    }
    try {
      await apiFetch(data.urls.skip, {
        method: "POST",
        body: { choice: choice ? choice.value : "", reason },
      });
      skipDialog.close();
      flash(strings.skipped);
      window.location.assign(data.urls.next);
    } catch (error) {
      $("skip-error").textContent = failure(strings, error);
    }
  });

  const reopenDialog = $("request-reopen-dialog");
  $("request-reopen-button")?.addEventListener("click", () => reopenDialog.showModal());
  $("request-reopen-cancel")?.addEventListener("click", () => reopenDialog.close());
  $("request-reopen-form")?.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await apiFetch(data.urls.request_reopen, {
        method: "POST",
        body: { reason: $("request-reopen-reason").value },
      });
      reopenDialog.close();
      $("request-reopen-button").remove(); // a styled button ignores the hidden attribute
      flash(strings.requested);
    } catch (error) {
      $("request-reopen-error").textContent = failure(strings, error);
    }
  });

  const ack = $("acknowledge-guidelines");
  ack?.addEventListener("click", async () => {
    try {
      await apiFetch(data.urls.acknowledge, {
        method: "POST",
        body: { version: Number(ack.dataset.version) },
      });
      $("guidelines-changed").hidden = true;
      flash(strings.acknowledged);
    } catch (error) {
      flash(failure(strings, error));
    }
  });

  document.addEventListener("keydown", (event) => {
    const command = teamCommand(event);
    if (!command) return;
    event.preventDefault();
    if (command === "skip") skip();
    else flag();
  });

  loadThread().catch((error) => flash(failure(strings, error)));
}
