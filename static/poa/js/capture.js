/* Capture grid: while the user types, a row refuses what the server would refuse, with its
   message next to the field, and recomputes avance absoluto and acumulado relativo from an
   accepted figure (static/poa/js/figures.js holds the rules of poa/figures.py). Enter in a
   figure moves to the next one instead of submitting. What is typed is kept in the browser
   until it is saved, so an expired session does not lose it. */
(function () {
  "use strict";

  var F = window.poaFigures;

  function rules(row) {
    return { wholeOnly: row.dataset.decimales !== "1", unidad: row.dataset.unidad };
  }

  /* Recomputes a row; with `validate` also shows or clears its messages as the server would
     (a refused figure gets no observation message). */
  function update(row, settings, validate) {
    var input = row.querySelector("input.figure-input");
    if (!input) return;
    var typed = F.parse(input.value, rules(row));
    var notes = row.querySelector("textarea");
    if (validate) {
      F.showError(input, typed.error);
      if (notes) F.showError(notes, typed.error ? null : notesError(row, typed.value, notes, settings));
    }
    var absoluteCell = row.querySelector('[data-role="absolute"]');
    var relativeCell = row.querySelector('[data-role="relative"]');
    if (typed.error) {
      absoluteCell.textContent = "—";
      relativeCell.textContent = "—";
      return;
    }
    var absolute = F.hundredths(row.dataset.before) + (typed.value || 0n);
    absoluteCell.textContent = F.formatFigure(absolute);
    relativeCell.textContent = F.formatPercent(F.percent(absolute, F.hundredths(row.dataset.annual)));
  }

  // poa.workflow.validate_capture_row on the observation, as the form submits it
  function notesError(row, achieved, notes, settings) {
    var submitted = F.strip(notes.value.replace(/\r?\n/g, "\r\n"));
    var length = Array.from(submitted).length;
    if (length > settings.maxNotes) {
      return F.fill(settings.messages.observation_too_long, {
        maximo: F.withThousands(String(settings.maxNotes)),
        lleva: F.withThousands(String(length)),
      });
    }
    var programmed = F.hundredths(row.dataset.programado);
    if (submitted !== "" || !F.needsObservation(programmed, achieved, settings.threshold)) {
      return null;
    }
    return F.fill(settings.messages.observation, {
      alcanzado: F.formatFigure(achieved),
      programado: F.formatFigure(programmed),
    });
  }

  function edited(row) {
    return Array.from(row.querySelectorAll("input.figure-input, textarea")).some(function (field) {
      return field.value !== field.defaultValue;
    });
  }

  // Enter in a figure goes to the next figure (the form is saved only with its buttons).
  function enterMovesOn(form) {
    form.addEventListener("keydown", function (event) {
      var field = event.target;
      if (event.key !== "Enter" || event.isComposing || !field.matches("input.figure-input")) {
        return;
      }
      event.preventDefault();
      var inputs = Array.from(form.querySelectorAll("input.figure-input"));
      var next = inputs[inputs.indexOf(field) + 1];
      if (next) {
        next.focus();
        next.select();
      }
    });
  }

  /* The unsaved draft: {version, values: {field name: text}} in localStorage under the user
     and the report's address. Written as the user types, removed once the server says it
     saved (data-saved) or the user discards it; offered back only on an editable grid and
     only filled in, never saved. */
  function Draft(form) {
    this.form = form;
    this.key = form.dataset.draftKey;
    this.version = form.querySelector('input[name="version"]');
    this.paused = false;
  }

  Draft.prototype.fields = function () {
    return Array.from(this.form.querySelectorAll("input.figure-input, textarea"));
  };

  Draft.prototype.read = function () {
    try {
      var draft = JSON.parse(window.localStorage.getItem(this.key));
      return draft && draft.values ? draft : null;
    } catch (error) {
      return null;
    }
  };

  Draft.prototype.write = function () {
    if (this.paused) return;
    var values = {};
    this.fields().forEach(function (field) { values[field.name] = field.value; });
    var draft = { version: this.version.value, values: values, at: new Date().toISOString() };
    try {
      window.localStorage.setItem(this.key, JSON.stringify(draft));
    } catch (error) {
      // storage full or disabled: the grid still works, only without a safety net
    }
  };

  Draft.prototype.remove = function () {
    try {
      window.localStorage.removeItem(this.key);
    } catch (error) {
      // nothing to remove
    }
  };

  // Whether the draft holds something other than what the grid shows now
  Draft.prototype.differs = function (draft) {
    return this.fields().some(function (field) {
      return field.name in draft.values && draft.values[field.name] !== field.value;
    });
  };

  Draft.prototype.restore = function (draft) {
    this.fields().forEach(function (field) {
      if (field.name in draft.values) field.value = draft.values[field.name];
    });
    // Saved against the version it was typed on: if someone saved since, the server shows
    // what changed and asks to save again instead of overwriting it.
    this.version.value = draft.version;
  };

  function offerDraft(form, draft, refresh) {
    var banner = document.getElementById("draft-banner");
    var saved = draft.read();
    if (!saved || !banner) return;
    if (!draft.differs(saved)) {
      if (form.dataset.bound !== "1") draft.remove();
      return;
    }
    draft.paused = true; // typing meanwhile must not overwrite what is offered
    banner.querySelector(".draft-stale").hidden = saved.version === draft.version.value;
    banner.hidden = false;
    banner.querySelector('[data-draft="restore"]').addEventListener("click", function () {
      draft.restore(saved);
      draft.paused = false;
      draft.write();
      refresh();
      banner.hidden = true;
      document.getElementById("draft-restored").hidden = false;
    });
    banner.querySelector('[data-draft="discard"]').addEventListener("click", function () {
      draft.remove();
      draft.paused = false;
      banner.hidden = true;
    });
  }

  function keepDraft(form, refresh) {
    if (!form.dataset.draftKey) return;
    var draft = new Draft(form);
    if (form.dataset.saved === "1") draft.remove();
    if (form.dataset.editable !== "1") return;
    form.addEventListener("input", function () { draft.write(); });
    form.addEventListener("submit", function () { draft.write(); });
    offerDraft(form, draft, refresh);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("capture-form");
    if (!form) return;
    var settings = {
      threshold: form.dataset.threshold || "0",
      maxNotes: parseInt(form.dataset.maxNotes, 10),
      messages: F.pageMessages("capture-messages"),
    };
    var rows = form.querySelectorAll("tr.capture-row");
    rows.forEach(function (row) {
      row.addEventListener("input", function () { update(row, settings, true); });
      // After a refused save the typed values are on screen: their figures, the server's
      // messages as they came. Values typed before this ran, or put back by the browser on
      // returning to the page, are checked as if typed now.
      if (edited(row)) update(row, settings, true);
      else if (form.dataset.bound === "1") update(row, settings, false);
    });
    enterMovesOn(form);
    keepDraft(form, function () {
      rows.forEach(function (row) { update(row, settings, true); });
    });
    var firstError = form.querySelector(".is-invalid");
    if (firstError) firstError.focus();
  });
})();
