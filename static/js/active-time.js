// Active time on the annotation page: how long the annotator worked on it, measured here and
// reported to the server (POST {ms} to the assignment's active-time URL).
//
// Time counts between two moments of activity (a key, a click, a touch, a scroll, the window
// getting focus) when they are at most IDLE_MS apart and the page kept the focus in between;
// a longer gap (reading something else, a coffee) counts nothing. Losing the focus ends a
// stretch: the time since the last activity counts if it is under IDLE_MS.
//
// ActiveClock is the rule, on timestamps it is given (pure); trackActiveTime wires it to the
// page's events and sends what it measured every FLUSH_MS, when the page is hidden, and on
// flush() (the page calls it before submitting).

import { readCookie } from "./api.js";

export const IDLE_MS = 60000;
export const FLUSH_MS = 15000;
const MAX_REPORT_MS = 3600000; // the server's limit per report
const ACTIVITY = ["keydown", "pointerdown", "wheel", "touchstart", "input", "scroll"];

export class ActiveClock {
  constructor({ idleMs = IDLE_MS, focused = true, now = 0 } = {}) {
    this.idleMs = idleMs;
    this.last = focused ? now : null; // the latest activity while focused, or null
    this.unsent = 0;
  }

  // Activity at time t (ms).
  activity(t) {
    if (this.last !== null) this.unsent += this.#gap(t);
    this.last = t;
  }

  // The page lost the focus (or was hidden) at time t.
  blur(t) {
    if (this.last !== null) this.unsent += this.#gap(t);
    this.last = null;
  }

  // Milliseconds measured since the last take(), whole; the rest stays for the next one.
  take() {
    const whole = Math.floor(this.unsent);
    this.unsent -= whole;
    return whole;
  }

  #gap(t) {
    const gap = t - this.last;
    return gap > 0 && gap <= this.idleMs ? gap : 0;
  }
}

// POST one report. A plain fetch with no time limit of its own: a report abandoned after a
// timeout may still have reached the server, and sending it again would count it twice.
async function postTime(url, ms, { keepalive = false } = {}) {
  const response = await globalThis.fetch(url, {
    method: "POST",
    headers: {
      Accept: "application/json",
      "Content-Type": "application/json",
      "X-CSRFToken": readCookie("csrftoken") || "",
    },
    body: JSON.stringify({ ms }),
    credentials: "same-origin",
    keepalive, // the report of a page being left still reaches the server
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
}

// Measure active time on this page and report it to `url`. Returns {clock, flush, stop}.
export function trackActiveTime({
  url,
  win = window,
  doc = document,
  now = () => Date.now(),
  flushMs = FLUSH_MS,
  send = (ms, options) => postTime(url, ms, options),
} = {}) {
  const clock = new ActiveClock({ focused: doc.hasFocus(), now: now() });
  let pending = 0; // measured but not yet accepted by the server
  let sending = null;

  async function flush({ keepalive = false } = {}) {
    while (sending) await sending;
    pending += clock.take();
    if (pending <= 0) return;
    const ms = Math.min(pending, MAX_REPORT_MS);
    sending = send(ms, { keepalive })
      .then(() => {
        pending -= ms;
      })
      .catch(() => {}) // kept in `pending` for the next flush
      .finally(() => {
        sending = null;
      });
    await sending;
  }

  const onActivity = () => clock.activity(now());
  const onBlur = () => clock.blur(now());
  const onHidden = () => {
    if (doc.visibilityState === "hidden") {
      clock.blur(now());
      flush({ keepalive: true });
    }
  };
  const onLeave = () => {
    clock.blur(now());
    flush({ keepalive: true });
  };
  for (const name of ACTIVITY) {
    win.addEventListener(name, onActivity, { passive: true, capture: true });
  }
  win.addEventListener("focus", onActivity);
  win.addEventListener("blur", onBlur);
  win.addEventListener("pagehide", onLeave);
  doc.addEventListener("visibilitychange", onHidden);
  const timer = setInterval(() => flush(), flushMs);

  function stop() {
    clearInterval(timer);
    for (const name of ACTIVITY) win.removeEventListener(name, onActivity, { capture: true });
    win.removeEventListener("focus", onActivity);
    win.removeEventListener("blur", onBlur);
    win.removeEventListener("pagehide", onLeave);
    doc.removeEventListener("visibilitychange", onHidden);
  }

  return { clock, flush, stop };
}
