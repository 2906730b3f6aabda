// The ZIPs still being made (planeacion/hojas/): asks the server for their progress every two
// seconds and shows it, with the download link once ready or the reason when it failed. The
// sentences come from the server; without JavaScript the page's «Actualizar» does the same.
(function () {
  "use strict";

  const EVERY_MS = 2000;
  const MOVING = ["EN_COLA", "EN_PROCESO"];

  function show(row, status) {
    const bar = row.querySelector("[data-export-bar]");
    const text = row.querySelector("[data-export-text]");
    const link = row.querySelector("[data-export-link]");
    bar.max = Math.max(status.total, 1);
    bar.value = status.done;
    bar.hidden = status.state === "FALLIDA";
    text.textContent = status.text;
    text.classList.toggle("text-danger", status.state === "FALLIDA");
    if (status.zip_url) {
      link.href = status.zip_url;
      link.hidden = false;
    }
  }

  async function follow(row) {
    try {
      const response = await fetch(row.dataset.exportStatus, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        return; // signed out or gone: the page's «Actualizar» tells
      }
      const status = await response.json();
      show(row, status);
      if (!MOVING.includes(status.state)) {
        return;
      }
    } catch (error) {
      // the network failed for a moment: ask again
    }
    window.setTimeout(() => follow(row), EVERY_MS);
  }

  document.querySelectorAll("[data-export-status]").forEach((row) => {
    window.setTimeout(() => follow(row), EVERY_MS);
  });
})();
