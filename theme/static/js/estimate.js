/*
 * The quote page's live estimate: N demi-journées × M agents at the year's
 * half-day rate. The rate comes only from #estimation's data attributes,
 * written at build time from content/tarifs.yaml: no price is written here.
 *
 * Before any input, and without this script, the box shows the worked example
 * the build wrote (and the page a table of examples below the form).
 * Choosing the co-development offer suggests its 5 half-days and limits the
 * group to 8 agents. Plain ES2017, no dependency, no inline script.
 */
(function () {
  "use strict";

  const box = document.getElementById("estimation");
  const live = document.getElementById("estimation-en-direct");
  const form = document.getElementById("devis");
  if (!box || !live || !form || !window.Intl || !Intl.NumberFormat) return;

  const halfRate = Number(box.getAttribute("data-rate-half"));
  const year = box.getAttribute("data-rate-year") || "";
  if (!Number.isFinite(halfRate) || halfRate <= 0) return;

  const agents = document.getElementById("devis-agents");
  const halfDays = document.getElementById("devis-demi_journees");
  const offer = document.getElementById("devis-offre");
  if (!agents || !halfDays) return;

  // The co-development group: its half-days and its size, both written by the build.
  const CODEV = {
    value: "codev",
    halfDays: Number(box.getAttribute("data-codev-half-days")),
    maxAgents: Number(box.getAttribute("data-codev-max-agents")),
  };
  const DEBOUNCE_MS = 300;

  const money = new Intl.NumberFormat("fr-FR", {
    style: "currency", currency: "EUR", minimumFractionDigits: 0, maximumFractionDigits: 0,
  });
  const defaultMaxAgents = agents.getAttribute("max");
  let suggestedHalfDays = null;
  let timer = null;

  function bound(control, name) {
    const raw = control.getAttribute(name);
    if (raw === null || raw.trim() === "") return null;
    const value = Number(raw);
    return Number.isFinite(value) ? value : null;
  }

  /* The control's whole number within its min and max, else null. */
  function count(control) {
    const text = (control.value || "").trim();
    if (!/^[0-9]{1,9}$/.test(text)) return null;
    const value = parseInt(text, 10);
    const low = bound(control, "min");
    const high = bound(control, "max");
    if ((low !== null && value < low) || (high !== null && value > high)) return null;
    return value;
  }

  function plural(n, one, many) {
    return n + " " + (n > 1 ? many : one);
  }

  function rangeText(control, what) {
    const low = bound(control, "min");
    const high = bound(control, "max");
    return low !== null && high !== null ? what + " entre " + low + " et " + high : what;
  }

  // The build's worked example, shown until the visitor types a figure.
  const example = live.textContent;

  function render() {
    const n = count(halfDays);
    const m = count(agents);
    if (halfDays.value.trim() === "" && agents.value.trim() === "") {
      live.textContent = example;
      return;
    }
    if (n === null || m === null) {
      live.textContent = "Pour obtenir une estimation, indiquez " + rangeText(halfDays, "un nombre de demi-journées") +
        " et " + rangeText(agents, "un nombre d'agents") + ".";
      return;
    }
    const total = n * m * halfRate;
    live.textContent = "Estimation : " + plural(n, "demi-journée", "demi-journées") + " × " + plural(m, "agent", "agents") +
      " = " + money.format(total) + ", au tarif " + year + " de " + money.format(halfRate) +
      " par demi-journée et par agent. Le devis du CDG 44 fait foi.";
  }

  function scheduleRender() {
    window.clearTimeout(timer);
    timer = window.setTimeout(render, DEBOUNCE_MS);
  }

  function applyOffer() {
    if (!offer) return;
    const codev = offer.value === CODEV.value;
    if (codev) {
      if (CODEV.maxAgents > 0) agents.setAttribute("max", String(CODEV.maxAgents));
      const current = halfDays.value.trim();
      if (CODEV.halfDays > 0 && (current === "" || current === suggestedHalfDays)) {
        halfDays.value = String(CODEV.halfDays);
        suggestedHalfDays = halfDays.value;
      }
    } else if (defaultMaxAgents !== null) {
      agents.setAttribute("max", defaultMaxAgents);
    } else {
      agents.removeAttribute("max");
    }
  }

  agents.addEventListener("input", scheduleRender);
  halfDays.addEventListener("input", () => {
    suggestedHalfDays = null; // the visitor's own figure is never replaced
    scheduleRender();
  });
  if (offer) {
    offer.addEventListener("change", () => {
      applyOffer();
      render();
    });
  }
  form.addEventListener("reset", () => window.setTimeout(() => {
    applyOffer();
    render();
  }, 0));

  applyOffer();
  render();
})();
