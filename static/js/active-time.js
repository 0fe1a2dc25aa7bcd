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

import { apiFetch } from "./api.js";

export const IDLE_MS = 60000;
export const FLUSH_MS = 15000;
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

// Measure active time on this page and report it to `url`. Returns {clock, flush, stop}.
export function trackActiveTime({
  url,
  win = window,
  doc = document,
  now = () => Date.now(),
  flushMs = FLUSH_MS,
  send = (ms, { keepalive = false } = {}) =>
    apiFetch(url, {
      method: "POST",
      body: { ms },
      // keepalive: the report of a page being left still reaches the server.
      fetchImpl: (u, options) => globalThis.fetch(u, { ...options, keepalive }),
    }),
} = {}) {
  const clock = new ActiveClock({ focused: doc.hasFocus(), now: now() });
  let pending = 0; // measured but not yet accepted by the server
  let sending = null;

  async function flush({ keepalive = false } = {}) {
    if (sending) await sending;
    pending += clock.take();
    if (pending <= 0) return;
    const ms = Math.min(pending, 3600000);
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
  for (const name of ACTIVITY) {
    win.addEventListener(name, onActivity, { passive: true, capture: true });
  }
  win.addEventListener("focus", onActivity);
  win.addEventListener("blur", onBlur);
  doc.addEventListener("visibilitychange", onHidden);
  win.addEventListener("pagehide", () => {
    clock.blur(now());
    flush({ keepalive: true });
  });
  const timer = setInterval(() => flush(), flushMs);

  function stop() {
    clearInterval(timer);
    for (const name of ACTIVITY) win.removeEventListener(name, onActivity, { capture: true });
    win.removeEventListener("focus", onActivity);
    win.removeEventListener("blur", onBlur);
    doc.removeEventListener("visibilitychange", onHidden);
  }

  return { clock, flush, stop };
}
