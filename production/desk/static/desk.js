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

  // A form that cannot be undone (Reject) asks first.
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  window.setInterval(tick, INTERVAL_MS);
})();
