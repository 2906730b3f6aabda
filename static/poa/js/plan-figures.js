/* Reading a typed figure exactly as poa/figures.py parse_figure and check_figure do, for the
   live checks of the programming screen, and the sum of a meta's quarters against its annual
   target as poa/planning.py validate_plan_row says it. The Spanish messages are the server's
   FIGURE_MESSAGES, handed to the page as json_script ("figure-messages"); figures are BigInt
   hundredths so no binary floating point ever rounds them.

   Contract (the same as the capture grid's): parse(text, wholeOnly, unidad) -> {value} or
   {error}; value is null for an empty text, else the figure in hundredths (1,234.5 -> 123450n). */
(function () {
  "use strict";

  // Python's str.strip() whitespace (JavaScript's trim() also strips U+FEFF, Python does not).
  var SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029" +
              "\\u202f\\u205f\\u3000]";
  var STRIP = new RegExp("^" + SPACE + "+|" + SPACE + "+$", "g");
  var PLAIN = /^[0-9]+(\.[0-9]+)?$/;
  var THOUSANDS = /^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$/;
  var DECIMAL_COMMA = /^[0-9]+,[0-9]{1,2}$/;
  var messages = null;
  var maxFigure = 10000000000n; // figures.MAX_FIGURE; the page may hand its own (setLimits)

  function setMessages(given) { messages = given; }
  function setLimits(max) { if (max) maxFigure = BigInt(max); }

  function message(key, values) {
    if (!messages) {
      var node = document.getElementById("figure-messages");
      messages = node ? JSON.parse(node.textContent) : {};
    }
    var text = messages[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(values[name]);
    });
    return text;
  }

  function parse(text, wholeOnly, unidad) {
    text = String(text === undefined || text === null ? "" : text).replace(STRIP, "");
    if (text === "") return { value: null };
    var rest = text.slice(1);
    if (text.charAt(0) === "-" && (PLAIN.test(rest) || THOUSANDS.test(rest))) {
      return { error: message("negative") };
    }
    if (THOUSANDS.test(text)) text = text.replace(/,/g, "");
    else if (DECIMAL_COMMA.test(text)) return { error: message("decimal_comma") };
    else if (!PLAIN.test(text)) return { error: message("invalid") };
    return check(text, wholeOnly, unidad);
  }

  // figures.check_figure: not too big, whole where the unit counts whole things, two decimals
  function check(text, wholeOnly, unidad) {
    var parts = text.split(".");
    var whole = BigInt(parts[0]);
    var fraction = (parts[1] || "").replace(/0+$/, "");
    if (whole >= maxFigure) return { error: message("too_big") };
    if (wholeOnly && fraction) return { error: message("whole", { unidad: unidad || "" }) };
    if (fraction.length > 2) return { error: message("decimals") };
    return { value: whole * 100n + BigInt((fraction + "00").slice(0, 2)) };
  }

  function withThousands(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // figures.format_figure: 123450n -> "1,234.5"; 100n -> "1"
  function format(value) {
    var whole = withThousands((value / 100n).toString());
    var fraction = (value % 100n).toString().padStart(2, "0").replace(/0+$/, "");
    return fraction ? whole + "." + fraction : whole;
  }

  // figures.programmed_total_message
  function totalMessage(annual, programmed) {
    var total = programmed.reduce(function (sum, p) { return sum + p; }, 0n);
    var difference = total - annual;
    return message(difference > 0n ? "programmed_over" : "programmed_under", {
      total: format(total),
      annual: format(annual),
      difference: format(difference < 0n ? -difference : difference),
    });
  }

  /* The figures of one meta as planning.validate_plan_row checks them: {errors: {meta_anual,
     programado_1..4, programado}, annual, programmed} (annual and programmed in hundredths,
     null where unreadable). */
  function checkRow(annualText, programmedTexts, wholeOnly, unidad, annualRequired) {
    var errors = {};
    var annual = parse(annualText, wholeOnly, unidad);
    if (annual.error) errors.meta_anual = annual.error;
    else if (annual.value === null) errors.meta_anual = annualRequired;
    var programmed = programmedTexts.map(function (text, index) {
      var read = parse(text, wholeOnly, unidad);
      if (read.error) {
        errors["programado_" + (index + 1)] = read.error;
        return null;
      }
      return read.value === null ? 0n : read.value;
    });
    var annualValue = errors.meta_anual ? null : annual.value;
    var consistent = annualValue !== null && programmed.indexOf(null) === -1;
    if (consistent) {
      var total = programmed.reduce(function (sum, p) { return sum + p; }, 0n);
      if (total !== annualValue) errors.programado = totalMessage(annualValue, programmed);
    }
    return { errors: errors, annual: annualValue, programmed: programmed };
  }

  window.poaPlanFigures = {
    parse: parse,
    format: format,
    totalMessage: totalMessage,
    checkRow: checkRow,
    setMessages: setMessages,
    setLimits: setLimits,
  };
})();
