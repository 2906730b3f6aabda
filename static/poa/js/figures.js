/* The rules of poa/figures.py for pages where people type figures (the capture grid, the
   annual programming): the same reading of what was typed, the same refusals, the same
   half-up percent and the same printing (1,234.5). The Spanish messages are not written
   here: the page hands over poa.figures.FIGURE_MESSAGES with
   {{ figure_messages|json_script:"figure-messages" }}.

   Figures are BigInt hundredths (12.5 -> 1250n), so no binary floating point ever rounds
   them; an accepted figure has at most two decimals. */
(function () {
  "use strict";

  // Python's str.strip() removes exactly these (JavaScript's trim() differs at the edges).
  var SPACE = "[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a" +
              "\\u2028\\u2029\\u202f\\u205f\\u3000]";
  var EDGES = new RegExp("^" + SPACE + "+|" + SPACE + "+$", "g");
  // poa.figures: PLAIN_FIGURE, THOUSANDS_FIGURE, DECIMAL_COMMA (ASCII digits only)
  var PLAIN = /^[0-9]+(\.[0-9]+)?$/;
  var THOUSANDS = /^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$/;
  var DECIMAL_COMMA = /^[0-9]+,[0-9]{1,2}$/;
  var MAX_WHOLE = 10000000000n; // poa.figures.MAX_FIGURE: 10 whole digits

  var messages = null;

  function strip(text) {
    return (text || "").replace(EDGES, "");
  }

  // "{unidad}" placeholders as Python's str.format fills them
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return String(values[name]); });
  }

  function pageMessages(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : {};
  }

  function message(key, values) {
    if (!messages) messages = pageMessages("figure-messages");
    return fill(messages[key], values || {});
  }

  function accepted(value) { return { value: value, error: null }; }
  function refused(text) { return { value: null, error: text }; }

  /* What a person typed, as poa.figures.parse_figure reads it: {value, error} where value is
     BigInt hundredths (null when empty or refused) and error the Spanish message or null.
     rules: {wholeOnly: the unit of measure counts whole things, unidad: its name}. */
  function parse(text, rules) {
    rules = rules || {};
    text = strip(text);
    if (text === "") return accepted(null);
    var rest = text.slice(1);
    if (text.charAt(0) === "-" && (PLAIN.test(rest) || THOUSANDS.test(rest))) {
      return refused(message("negative"));
    }
    if (THOUSANDS.test(text)) text = text.replace(/,/g, "");
    else if (DECIMAL_COMMA.test(text)) return refused(message("decimal_comma"));
    else if (!PLAIN.test(text)) return refused(message("invalid"));
    return check(text, rules);
  }

  // poa.figures.check_figure on plain digits ("1234.50"), in the same order of refusals
  function check(digits, rules) {
    var parts = digits.split(".");
    var whole = BigInt(parts[0]);
    var fraction = (parts[1] || "").replace(/0+$/, "");
    if (whole >= MAX_WHOLE) return refused(message("too_big"));
    if (rules.wholeOnly && fraction) return refused(message("whole", { unidad: rules.unidad || "" }));
    if (fraction.length > 2) return refused(message("decimals"));
    return accepted(whole * 100n + BigInt((fraction + "00").slice(0, 2)));
  }

  // A figure the server printed plainly ("172", "340.00"); 0n when empty
  function hundredths(text) {
    return parse(text).value || 0n;
  }

  // part / whole as a whole percent, rounded half up; null when the whole is zero
  function percent(part, whole) {
    if (whole === 0n) return null;
    return (part * 200n + whole) / (2n * whole);
  }

  function withThousands(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // 123450n -> "1,234.5"; 100n -> "1" (poa.figures.format_figure)
  function formatFigure(value) {
    var whole = withThousands((value / 100n).toString());
    var fraction = (value % 100n).toString().padStart(2, "0").replace(/0+$/, "");
    return fraction ? whole + "." + fraction : whole;
  }

  function formatPercent(value) {
    return value === null ? "" : withThousands(value.toString()) + "%";
  }

  // "12.5" -> [125n, 10n]: the observation threshold as an exact fraction
  function ratio(text) {
    var match = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(strip(text));
    if (!match) return [0n, 1n];
    var decimals = match[3] || "";
    var numerator = BigInt(match[2] + decimals);
    return [match[1] ? -numerator : numerator, 10n ** BigInt(decimals.length)];
  }

  /* poa.figures.needs_observation: any difference, or one above `threshold` percent (a
     decimal string) of what was programmed; achieved null means not captured. */
  function needsObservation(programmed, achieved, threshold) {
    if (achieved === null) return false;
    var difference = achieved > programmed ? achieved - programmed : programmed - achieved;
    if (difference === 0n) return false;
    var limit = ratio(threshold);
    if (limit[0] === 0n || programmed === 0n) return true;
    return difference * 100n * limit[1] > limit[0] * programmed;
  }

  /* The message next to a field, as the server draws it: the field .is-invalid followed by
     its .invalid-feedback (id "<field id>-error"); no message removes it. */
  function showError(field, text) {
    var id = field.id + "-error";
    var feedback = document.getElementById(id);
    if (!text) {
      field.classList.remove("is-invalid");
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
      if (feedback) feedback.remove();
      return;
    }
    if (!feedback) {
      feedback = document.createElement("div");
      feedback.className = "invalid-feedback";
      feedback.id = id;
      field.insertAdjacentElement("afterend", feedback);
    }
    feedback.textContent = text;
    field.classList.add("is-invalid");
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-describedby", id);
  }

  window.poaFigures = {
    strip: strip,
    fill: fill,
    pageMessages: pageMessages,
    parse: parse,
    hundredths: hundredths,
    percent: percent,
    withThousands: withThousands,
    formatFigure: formatFigure,
    formatPercent: formatPercent,
    needsObservation: needsObservation,
    showError: showError,
  };
})();
