/* The programming screen while a unit drafts its metas: adds metas from the page's
   <template>, reorders them by swapping their numbers, marks them for removal, checks their
   figures live with the server's rules and words (figures.js, and poa.planning's sum of the
   quarters below), searches the líneas de acción as the user types (a combobox; chosen
   líneas become chips with a hidden input each) and proposes a unit of measure without
   leaving the page. No inline script or style: the page hands its words as data attributes
   and json_script. */
(function () {
  "use strict";

  var figures = window.poaFigures;
  var QUARTERS = ["programado_1", "programado_2", "programado_3", "programado_4"];
  var form, texts, planMessages, figureMessages;

  function sum(values) {
    return values.reduce(function (total, value) { return total + value; }, 0n);
  }

  // poa.figures.programmed_total_message
  function totalMessage(annual, programmed) {
    if (!figureMessages) figureMessages = figures.pageMessages("figure-messages");
    var difference = sum(programmed) - annual;
    var key = difference > 0n ? "programmed_over" : "programmed_under";
    // Hundredths: a difference of exactly 1 reads in the singular («sobra 1»).
    if (difference === 100n || difference === -100n) key += "_one";
    return figures.fill(figureMessages[key], {
      total: figures.formatFigure(sum(programmed)),
      annual: figures.formatFigure(annual),
      difference: figures.formatFigure(difference < 0n ? -difference : difference),
    });
  }

  /* The figures of one meta as poa.planning.validate_plan_row checks them: {errors: {field:
     message} for meta_anual, programado_1..4 and programado (the sum), annual, programmed}
     (hundredths; null where unreadable). rules: {wholeOnly, unidad} as figures.parse takes. */
  function checkRow(annualText, programmedTexts, rules, annualRequired) {
    var errors = {};
    var annual = figures.parse(annualText, rules);
    if (annual.error) errors.meta_anual = annual.error;
    else if (annual.value === null) errors.meta_anual = annualRequired;
    var programmed = programmedTexts.map(function (text, index) {
      var read = figures.parse(text, rules);
      if (read.error) errors["programado_" + (index + 1)] = read.error;
      return read.error ? null : read.value || 0n;
    });
    var annualValue = errors.meta_anual ? null : annual.value;
    if (annualValue !== null && programmed.indexOf(null) === -1 && sum(programmed) !== annualValue) {
      errors.programado = totalMessage(annualValue, programmed);
    }
    return { errors: errors, annual: annualValue, programmed: programmed };
  }

  function json(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : {};
  }

  function fill(template, values) {
    return figures.fill(template, values);
  }

  function rows() {
    return Array.prototype.slice.call(form.querySelectorAll(".plan-row"));
  }

  function field(row, name) {
    return row.querySelector('[name$="-' + name + '"]');
  }

  // Live figures ----------------------------------------------------------------------------

  function unitRules(row) {
    var option = field(row, "unidad_medida").selectedOptions[0];
    if (!option || !option.value) return { wholeOnly: false, unidad: "" };
    return { wholeOnly: option.dataset.decimales !== "1", unidad: option.dataset.nombre };
  }

  function showError(input, message) {
    figures.showError(input, message);
  }

  function updateFigures(row) {
    var annualInput = field(row, "meta_anual");
    var result = checkRow(
      annualInput.value,
      QUARTERS.map(function (name) { return field(row, name).value; }),
      unitRules(row),
      planMessages.annual_required
    );
    var errors = result.errors;
    // "Escriba la meta anual" waits until the user left the field or typed a quarter.
    var quarterTyped = QUARTERS.some(function (name) { return field(row, name).value.trim(); });
    var annualTouched = annualInput.dataset.touched === "1" || quarterTyped;
    var annualError = errors.meta_anual;
    if (annualError === planMessages.annual_required && !annualTouched) annualError = "";
    showError(annualInput, annualError);
    QUARTERS.forEach(function (name) { showError(field(row, name), errors[name]); });

    var line = row.querySelector('[data-role="sum"]');
    var consistent = result.annual !== null && result.programmed.indexOf(null) === -1;
    line.classList.toggle("text-danger", Boolean(errors.programado));
    line.classList.toggle("plan-sum-ok", consistent && !errors.programado);
    if (errors.programado) line.textContent = errors.programado;
    else if (consistent) {
      line.textContent = fill(texts.sumTemplate, {
        total: figures.formatFigure(sum(result.programmed)),
        annual: figures.formatFigure(result.annual),
      });
    } else line.textContent = "";
  }

  // Numbers, order and removal --------------------------------------------------------------

  function numberOf(row) {
    var value = field(row, "numero").value.trim();
    return /^[0-9]+$/.test(value) ? parseInt(value, 10) : null;
  }

  function showNumber(row) {
    row.querySelector(".plan-row-number").textContent = field(row, "numero").value.trim();
  }

  function nextNumber() {
    var numbers = rows().map(numberOf).filter(function (n) { return n !== null; });
    return numbers.length ? Math.max.apply(null, numbers) + 1 : parseInt(texts.suggested, 10);
  }

  function refreshOrderButtons() {
    var all = rows();
    all.forEach(function (row, index) {
      row.querySelector(".plan-order").hidden = false;
      row.querySelector('[data-move="up"]').disabled = index === 0;
      row.querySelector('[data-move="down"]').disabled = index === all.length - 1;
    });
  }

  // ↑/↓ swap the numbers of two neighbouring metas and their places on the page.
  function move(row, direction) {
    var other = direction === "up" ? row.previousElementSibling : row.nextElementSibling;
    if (!other || !other.classList.contains("plan-row")) return;
    var mine = field(row, "numero"), theirs = field(other, "numero");
    var swap = mine.value;
    mine.value = theirs.value;
    theirs.value = swap;
    showNumber(row);
    showNumber(other);
    if (direction === "up") other.before(row);
    else other.after(row);
    refreshOrderButtons();
    var button = row.querySelector('[data-move="' + direction + '"]');
    (button.disabled ? row.querySelector(".plan-move:not([disabled])") : button).focus();
    row.classList.add("plan-row-moved");
    window.setTimeout(function () { row.classList.remove("plan-row-moved"); }, 600);
  }

  function toggleDelete(row, checkbox) {
    if (checkbox.checked) {
      var numero = field(row, "numero").value.trim();
      if (!window.confirm(fill(texts.deleteConfirm, { numero: numero }))) {
        checkbox.checked = false;
      }
    }
    row.classList.toggle("plan-row-deleted", checkbox.checked);
  }

  function addRow() {
    var template = document.getElementById("plan-row-template");
    var used = rows().map(function (row) {
      var match = /^nueva-([0-9]+)$/.exec(row.dataset.key);
      return match ? parseInt(match[1], 10) : 0;
    });
    var key = "nueva-" + (Math.max.apply(null, used.concat([0])) + 1);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.split("__KEY__").join(key);
    var row = holder.querySelector(".plan-row");
    document.getElementById("plan-rows").appendChild(row);
    field(row, "numero").value = String(nextNumber());
    showNumber(row);
    bindRow(row);
    refreshOrderButtons();
    field(row, "descripcion").focus();
  }

  // Líneas de acción: search as you type, several per meta ----------------------------------

  function lineasPicker(picker) {
    var input = picker.querySelector(".lineas-search");
    var list = picker.querySelector(".lineas-options");
    var chips = picker.querySelector(".lineas-chips");
    var results = [], active = -1, timer = null, asked = 0;
    input.disabled = false;

    function chosen() {
      return Array.prototype.map.call(chips.querySelectorAll("input"), function (hidden) {
        return hidden.value;
      });
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function render(message) {
      list.innerHTML = "";
      results.forEach(function (linea, index) {
        var option = document.createElement("li");
        option.className = "list-group-item py-1" + (index === active ? " active-option" : "");
        option.id = input.id + "-opcion-" + linea.id;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", index === active ? "true" : "false");
        var clave = document.createElement("strong");
        clave.textContent = linea.clave;
        option.append(clave, " " + linea.nombre);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { choose(index); });
        list.appendChild(option);
      });
      if (message) {
        var note = document.createElement("li");
        note.className = "list-group-item py-1 text-body-secondary";
        note.textContent = message;
        list.appendChild(note);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (active >= 0) input.setAttribute("aria-activedescendant", input.id + "-opcion-" + results[active].id);
      else input.removeAttribute("aria-activedescendant");
    }

    function search() {
      var ticket = ++asked;
      var url = texts.lineasUrl + "?q=" + encodeURIComponent(input.value.trim());
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) {
          if (ticket !== asked || document.activeElement !== input) return;
          var taken = chosen();
          results = data.results.filter(function (l) { return taken.indexOf(String(l.id)) === -1; });
          active = results.length ? 0 : -1;
          render(results.length ? "" : texts.noResults);
        })
        .catch(function () {
          if (ticket !== asked) return;
          results = [];
          render(texts.searchError);
        });
    }

    function choose(index) {
      var linea = results[index];
      if (!linea) return;
      var chip = document.createElement("li");
      chip.className = "linea-chip";
      chip.dataset.id = linea.id;
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = picker.dataset.name;
      hidden.value = linea.id;
      var text = document.createElement("span");
      text.className = "linea-chip-text";
      text.title = linea.clave + " " + linea.nombre;
      var clave = document.createElement("strong");
      clave.textContent = linea.clave;
      text.append(clave, " " + linea.nombre);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-sm linea-remove";
      remove.setAttribute("aria-label", fill(texts.removeLinea, { clave: linea.clave }));
      remove.textContent = "×";
      chip.append(hidden, text, remove);
      chips.appendChild(chip);
      input.value = "";
      showError(input, "");
      close();
      input.focus();
    }

    chips.addEventListener("click", function (event) {
      var button = event.target.closest(".linea-remove");
      if (!button) return;
      button.closest(".linea-chip").remove();
      input.focus();
    });
    input.addEventListener("input", function () {
      // What was listed no longer answers what is typed: Enter waits for the new answer.
      results = [];
      active = -1;
      close();
      asked++;
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    // The whole list opens on a click or ↓, not on every focus (Tab, a removed chip).
    input.addEventListener("click", search);
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) return search();
        if (!results.length) return;
        var step = event.key === "ArrowDown" ? 1 : -1;
        active = (active + step + results.length) % results.length;
        render();
        document.getElementById(input.id + "-opcion-" + results[active].id).scrollIntoView({ block: "nearest" });
      } else if (event.key === "Enter") {
        event.preventDefault(); // never submits the whole form from here
        if (!list.hidden && active >= 0) choose(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
  }

  // Rows ------------------------------------------------------------------------------------

  function bindRow(row) {
    row.addEventListener("input", function (event) {
      var target = event.target;
      if (target.classList.contains("plan-figure")) updateFigures(row);
      else if (target.classList.contains("plan-numero")) {
        showNumber(row);
        showError(target, "");
      } else if (target.tagName === "TEXTAREA") showError(target, "");
    });
    field(row, "meta_anual").addEventListener("blur", function (event) {
      event.target.dataset.touched = "1";
      updateFigures(row);
    });
    row.addEventListener("change", function (event) {
      var target = event.target;
      if (target.classList.contains("plan-unidad")) {
        showError(target, "");
        updateFigures(row);
      } else if (target.classList.contains("plan-delete")) toggleDelete(row, target);
    });
    row.querySelectorAll(".plan-move").forEach(function (button) {
      button.addEventListener("click", function () { move(row, button.dataset.move); });
    });
    lineasPicker(row.querySelector(".lineas-picker"));
    if (field(row, "meta_anual").classList.contains("is-invalid")) {
      field(row, "meta_anual").dataset.touched = "1";
    }
    updateFigures(row);
  }

  // A unit of measure proposed from the page ------------------------------------------------

  function proposeUnit(event) {
    event.preventDefault();
    var proposal = event.target;
    var status = document.getElementById("unit-propose-status");
    fetch(proposal.action, {
      method: "POST",
      body: new FormData(proposal),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        status.classList.toggle("text-danger", Boolean(data.error));
        status.classList.toggle("text-success-emphasis", !data.error);
        status.textContent = data.error || data.message;
        if (data.error) return;
        addUnitOption(data);
        proposal.reset();
      })
      .catch(function () {
        status.classList.add("text-danger");
        status.textContent = texts.searchError;
      });
  }

  function addUnitOption(unidad) {
    var template = document.getElementById("plan-row-template").content;
    var selects = Array.prototype.slice.call(form.querySelectorAll(".plan-unidad"));
    selects.concat(Array.prototype.slice.call(template.querySelectorAll(".plan-unidad")))
      .forEach(function (select) {
        var option = document.createElement("option");
        option.value = unidad.id;
        option.dataset.decimales = unidad.admite_decimales ? "1" : "0";
        option.dataset.nombre = unidad.nombre;
        option.textContent = unidad.nombre + " " + texts.proposed;
        select.appendChild(option);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    form = document.getElementById("programming-form");
    if (!form || !figures) return;
    planMessages = json("plan-messages");
    texts = {
      lineasUrl: form.dataset.lineasUrl,
      suggested: form.dataset.suggested,
      sumTemplate: form.dataset.sumTemplate,
      deleteConfirm: form.dataset.deleteConfirm,
      noResults: form.dataset.noResults,
      searchError: form.dataset.searchError,
      removeLinea: form.dataset.removeLinea,
      proposed: form.dataset.proposed,
    };
    rows().forEach(bindRow);
    refreshOrderButtons();
    var add = document.getElementById("plan-add");
    add.hidden = false;
    add.addEventListener("click", addRow);
    var proposal = document.getElementById("unit-propose-form");
    if (proposal) proposal.addEventListener("submit", proposeUnit);
    var firstError = form.querySelector(".is-invalid");
    if (firstError) firstError.focus();
  });

  window.poaProgramming = { checkRow: checkRow, totalMessage: totalMessage };
})();
