/* Capture grid: recomputes a row's avance absoluto and acumulado relativo while the user
   types, with the same arithmetic as poa/figures.py (half-up whole percent on exact
   decimals: 172/340 -> 51 %, 1/6 -> 17 %, 1/8 -> 13 %). Figures are handled as BigInt
   hundredths so no binary floating point ever rounds them. */
(function () {
  "use strict";

  var THOUSANDS = /^\d{1,3}(,\d{3})+(\.\d+)?$/;
  var PLAIN = /^\d+(\.\d{1,2})?$/;

  // "1,234.5" -> 123450n; "" -> 0n (not captured counts as nothing); invalid -> null
  function hundredths(text) {
    text = (text || "").trim();
    if (text === "") return 0n;
    if (THOUSANDS.test(text)) text = text.replace(/,/g, "");
    if (!PLAIN.test(text)) return null;
    var parts = text.split(".");
    var fraction = ((parts[1] || "") + "00").slice(0, 2);
    return BigInt(parts[0]) * 100n + BigInt(fraction);
  }

  // part / whole as a whole percent, rounded half up; null when the whole is zero
  function percent(part, whole) {
    if (whole === 0n) return null;
    return (part * 200n + whole) / (2n * whole);
  }

  function withThousands(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // 123450n -> "1,234.5"; 100n -> "1"
  function formatFigure(value) {
    var whole = withThousands((value / 100n).toString());
    var fraction = (value % 100n).toString().padStart(2, "0").replace(/0+$/, "");
    return fraction ? whole + "." + fraction : whole;
  }

  function needsObservation(programmed, achieved, threshold) {
    if (achieved === programmed) return false;
    if (!threshold || programmed === 0n) return true;
    var difference = achieved > programmed ? achieved - programmed : programmed - achieved;
    return Number(difference * 10000n / programmed) / 100 > threshold;
  }

  function update(row, threshold) {
    var input = row.querySelector("input.figure-input");
    if (!input) return;
    var typed = hundredths(input.value);
    var absoluteCell = row.querySelector('[data-role="absolute"]');
    var relativeCell = row.querySelector('[data-role="relative"]');
    if (typed === null) {
      absoluteCell.textContent = "—";
      relativeCell.textContent = "—";
      return;
    }
    var absolute = hundredths(row.dataset.before) + typed;
    var relative = percent(absolute, hundredths(row.dataset.annual));
    absoluteCell.textContent = formatFigure(absolute);
    relativeCell.textContent = relative === null ? "" : withThousands(relative.toString()) + "%";

    var notes = row.querySelector("textarea");
    var hint = row.querySelector(".observation-hint");
    if (notes && hint) {
      var captured = input.value.trim() !== "";
      var programmed = hundredths(row.dataset.programado);
      hint.hidden = !(captured && needsObservation(programmed, typed, threshold) &&
                      notes.value.trim() === "");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("capture-form");
    if (!form) return;
    var threshold = parseFloat(form.dataset.threshold) || 0;
    var rows = form.querySelectorAll("tr.capture-row");
    rows.forEach(function (row) {
      row.addEventListener("input", function () { update(row, threshold); });
      // After a refused save the typed values, not the stored ones, are on screen.
      if (form.dataset.bound === "1") update(row, threshold);
    });
    var firstError = form.querySelector(".is-invalid");
    if (firstError) firstError.focus();
    form.querySelectorAll("button[data-confirm]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.dataset.confirm)) event.preventDefault();
      });
    });
  });

  window.poaCapture = { hundredths: hundredths, percent: percent, formatFigure: formatFigure };
})();
