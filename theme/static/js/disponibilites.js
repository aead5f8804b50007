/*
 * Live availability on a session's page (progressive enhancement).
 *
 * The page shows the badge of its build. This script asks the form receiver
 * for the places left now (GET <receiver>/disponibilites.json, no personal
 * data) and updates the badge, the places line and the registration form: a
 * session that filled up since the build turns into the waiting-list form
 * before the visitor types, and back when places free up. Without JavaScript,
 * or when the receiver does not answer, the build's badge and form stand.
 *
 * Plain ES2017, no dependency, no inline script (strict CSP: connect-src
 * already allows the receiver, which the forms post to).
 */
(function () {
  "use strict";

  if (!window.fetch || !document.querySelector) return;

  const TIMEOUT_MS = 5000;
  const form = document.querySelector('form[data-form="inscription"][data-titre-liste-attente]');
  if (!form) return;
  const sessionInput = form.querySelector('input[name="session"]');
  const waitingInput = form.querySelector('input[name="liste_attente"]');
  const suffix = "/f/inscription";
  const action = form.getAttribute("action") || "";
  if (!sessionInput || !waitingInput || action.slice(-suffix.length) !== suffix) return;
  const endpoint = action.slice(0, -suffix.length) + "/disponibilites.json";

  function setWaiting(waiting) {
    if ((waitingInput.value === "oui") === waiting) return;
    waitingInput.value = waiting ? "oui" : "non";
    const heading = document.getElementById("inscription-titre");
    if (heading) heading.textContent = waiting ? form.dataset.titreListeAttente : form.dataset.titreInscription;
    const button = form.querySelector('button[type="submit"]');
    if (button) button.textContent = waiting ? form.dataset.boutonListeAttente : form.dataset.boutonInscription;
    let notice = document.getElementById("avis-liste-attente");
    if (waiting && !notice) {
      notice = document.createElement("p");
      notice.className = "notice notice--warning";
      notice.id = "avis-liste-attente";
      notice.textContent = form.dataset.avisListeAttente;
      const section = form.closest("section");
      section.parentNode.insertBefore(notice, section);
    } else if (!waiting && notice) {
      notice.parentNode.removeChild(notice);
    }
  }

  function show(info) {
    const badge = document.querySelector(".entry__status .badge");
    if (badge) {
      badge.textContent = info.libelle;
      badge.className = "badge badge--" + info.etat;
    }
    const places = document.querySelector(".entry__status .entry__places");
    if (places && info.texte_places) {
      places.textContent = info.texte_places;
      places.hidden = info.liste_attente;
    }
    setWaiting(info.liste_attente);
  }

  const controller = window.AbortController ? new AbortController() : null;
  const timer = controller ? setTimeout(function () { controller.abort(); }, TIMEOUT_MS) : null;
  fetch(endpoint, {
    method: "GET",
    mode: "cors",
    credentials: "omit",
    headers: { Accept: "application/json" },
    signal: controller ? controller.signal : undefined,
  })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      const info = data && data.sessions && data.sessions[sessionInput.value];
      if (info) show(info);
    })
    .catch(function () { /* the receiver is down: the build's badge stands */ })
    .finally(function () { if (timer) clearTimeout(timer); });
})();
