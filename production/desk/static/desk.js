// The desk page without reloads: the parts marked data-live are fetched again every two
// seconds and replaced when they changed (the server answers 304 otherwise), but never while
// the person at the desk is in one of them (a focused button or field would be lost).
(function () {
  "use strict";
  const INTERVAL_MS = 2000;
  const tags = new Map();

  async function refresh(part) {
    if (part.contains(document.activeElement)) return;
    const headers = {};
    if (tags.has(part)) headers["If-None-Match"] = tags.get(part);
    const answer = await fetch(part.dataset.live, {
      headers, credentials: "same-origin", cache: "no-store",
    });
    if (answer.status === 401) { window.location.assign("/login"); return; }
    if (answer.status !== 200) return;
    const html = await answer.text();
    if (part.contains(document.activeElement)) return;
    tags.set(part, answer.headers.get("ETag"));
    part.innerHTML = html;
    document.dispatchEvent(new CustomEvent("desk:updated", { detail: part.id }));
  }

  function tick() {
    document.querySelectorAll("[data-live]").forEach((part) => {
      refresh(part).catch(() => {});  // the daemon restarting: try again next tick
    });
  }

  // A barcode scanner is a keyboard: what it types while no field has focus goes to the scan
  // box, so the packer never has to click before scanning.
  document.addEventListener("keydown", (event) => {
    const scan = document.getElementById("scan");
    if (!scan || event.ctrlKey || event.metaKey || event.altKey || event.key.length !== 1) return;
    const active = document.activeElement;
    const typing = active && (active.matches("input, textarea, select") || active.isContentEditable);
    if (!typing) scan.focus();
  });

  // A form that cannot be undone (Reject) asks first. One that waits on Amazon says so on its
  // button until the answer comes (the server gives up within [amazon] deadline_seconds), and
  // cannot be sent twice meanwhile.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const question = form.dataset && form.dataset.confirm;
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    const busy = form.dataset && form.dataset.busy;
    const button = busy && form.querySelector("button[type=submit]");
    if (!button) return;
    if (button.disabled) { event.preventDefault(); return; }
    button.disabled = true;
    button.textContent = busy;
  });

  // The ship form: the carrier is read from the tracking number as it is scanned or typed
  // (the server's table, the same that checks the form), never carried over from the last one.
  function carrierFrom(tracking) {
    const carrier = document.getElementById("carrier");
    const hint = document.getElementById("carrier-hint");
    if (!carrier || !hint) return;
    const number = tracking.value.trim();
    const url = tracking.dataset.carrierOf + "?tracking=" + encodeURIComponent(number);
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then((answer) => (answer.status === 200 ? answer.json() : null))
      .then((found) => {
        if (!found || tracking.value.trim() !== number) return;  // typed on since
        const auto = carrier.value === "" || carrier.dataset.auto === "1";
        if (found.carrier && auto) {
          carrier.value = found.carrier;
          carrier.dataset.auto = "1";
          hint.textContent = "Read from the tracking number: " + found.carrier + ".";
        } else if (found.carrier && found.distinctive && carrier.value !== found.carrier) {
          hint.textContent = "This is a " + found.carrier + " number, not " + carrier.value + ".";
        } else if (!found.carrier && auto) {
          carrier.value = "";
          hint.textContent = number ? "Unknown format: choose the carrier." : "";
        }
      })
      .catch(() => {});
  }

  let pending = null;
  document.addEventListener("input", (event) => {
    const field = event.target;
    if (field.id === "carrier") field.dataset.auto = "";
    if (field.id !== "tracking" || !field.dataset.carrierOf) return;
    window.clearTimeout(pending);
    pending = window.setTimeout(() => carrierFrom(field), 150);
  });

  window.setInterval(tick, INTERVAL_MS);
})();
