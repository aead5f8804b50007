/*
 * Live availability (progressive enhancement).
 *
 * The pages show the badges of their build. This script asks the form
 * receiver once for the places left now (GET <receiver>/disponibilites.json,
 * no personal data) and updates, on the page:
 * - every badge and places line marked data-session="<slug>" (the programme's
 *   cards, the offer pages' next sessions, the home page, a session's page);
 * - the registration forms of a session's page (individual and group, each
 *   form[data-titre-liste-attente]): a session that filled up since the build
 *   turns into the waiting-list forms (title, button, hidden liste_attente,
 *   message once sent) before the visitor types, and back when places free up;
 * - the link of a session's key panel to its individual form
 *   (a[data-libelle-liste-attente]), which says what that form now is.
 * Only the sessions listed in the answer change. Without JavaScript, or when
 * the receiver does not answer, the build's badges and forms stand.
 *
 * The receiver's address is the one the registration form posts to, given by
 * the template on this script's element (data-formulaire). Every visible text
 * comes from the templates' data-* attributes. Focus never moves; when
 * something visible changed, one polite status message says so, once.
 *
 * Plain ES2017, no dependency, no inline script (strict CSP: connect-src
 * already allows the receiver, which the forms post to).
 */
(function () {
  "use strict";

  if (!window.fetch || !document.querySelectorAll) return;

  const TIMEOUT_MS = 5000;
  const SUFFIX = "/f/inscription";
  const script = document.currentScript;
  const action = (script && script.getAttribute("data-formulaire")) || "";
  // A hosted form provider has no such address: nothing to ask.
  if (action.slice(-SUFFIX.length) !== SUFFIX) return;
  const endpoint = action.slice(0, -SUFFIX.length) + "/disponibilites.json";

  const marks = Array.prototype.slice.call(document.querySelectorAll("[data-session]"));
  const forms = Array.prototype.slice.call(document.querySelectorAll("form[data-titre-liste-attente]"));
  const links = Array.prototype.slice.call(document.querySelectorAll("a[data-libelle-liste-attente]"));
  if (!marks.length && !forms.length) return;

  // Made before the request, so that assistive technologies know the region
  // when its text is set (a region created with its text is often not read).
  let region = null;
  const announcement = script.getAttribute("data-annonce");
  const main = document.getElementById("contenu");
  if (announcement && main) {
    region = document.createElement("p");
    region.className = "visually-hidden";
    region.id = "disponibilites-annonce";
    region.setAttribute("role", "status");
    main.appendChild(region);
  }

  function infoFor(sessions, slug) {
    return slug && Object.prototype.hasOwnProperty.call(sessions, slug) ? sessions[slug] : null;
  }

  /* What a visitor reads of a badge and its places line. */
  function shown(mark) {
    const badge = mark.querySelector(".badge");
    const places = mark.querySelector(".places");
    return (badge ? badge.textContent : "") + "|" + (places && !places.hidden ? places.textContent : "");
  }

  /* Returns true when the visible text changed. */
  function showStatus(mark, info) {
    const before = shown(mark);
    const badge = mark.querySelector(".badge");
    if (badge) {
      badge.textContent = info.libelle;
      badge.className = "badge badge--" + info.etat;
    }
    let places = mark.querySelector(".places");
    if (info.liste_attente || !info.texte_places) {
      // No number rather than a stale one.
      if (places) places.hidden = true;
    } else {
      if (!places) {
        // A session full at build time has no places line yet.
        places = document.createElement("span");
        places.className = "places";
        mark.appendChild(document.createTextNode(" "));
        mark.appendChild(places);
      }
      places.textContent = info.texte_places;
      places.hidden = false;
    }
    return shown(mark) !== before;
  }

  /* Returns true when the form switched. */
  function setWaiting(form, waiting) {
    const waitingInput = form.querySelector('input[name="liste_attente"]');
    if (!waitingInput || (waitingInput.value === "oui") === waiting) return false;
    waitingInput.value = waiting ? "oui" : "non";
    const heading = document.getElementById(form.id + "-titre");
    if (heading) heading.textContent = waiting ? form.dataset.titreListeAttente : form.dataset.titreInscription;
    const button = form.querySelector('button[type="submit"]');
    if (button) button.textContent = waiting ? form.dataset.boutonListeAttente : form.dataset.boutonInscription;
    const success = waiting ? form.dataset.messageSuccessListeAttente : form.dataset.messageSuccessInscription;
    if (success) form.setAttribute("data-message-success", success);
    if (form.dataset.avisListeAttente) {
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
    return true;
  }

  function show(sessions) {
    let changed = false;
    marks.forEach(function (mark) {
      const info = infoFor(sessions, mark.getAttribute("data-session"));
      if (info && showStatus(mark, info)) changed = true;
    });
    forms.forEach(function (form) {
      const session = form.querySelector('input[name="session"]');
      const info = infoFor(sessions, session && session.value);
      if (info && setWaiting(form, info.liste_attente)) changed = true;
    });
    // The key panel's link leads to the individual form: it says what that form now is.
    const individual = document.querySelector('form[data-form="inscription"] input[name="liste_attente"]');
    if (individual) {
      const waiting = individual.value === "oui";
      links.forEach(function (link) {
        link.textContent = waiting ? link.dataset.libelleListeAttente : link.dataset.libelleInscription;
      });
    }
    if (changed && region) region.textContent = announcement;
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
      if (data && data.sessions && typeof data.sessions === "object") show(data.sessions);
    })
    .catch(function () { /* the receiver is down: the build's badges stand */ })
    .finally(function () { if (timer) clearTimeout(timer); });
})();
