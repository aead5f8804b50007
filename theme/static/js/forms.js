/*
 * Progressive enhancement of the site's forms (form[data-ajax="true"]).
 *
 * Without this script every form posts normally and the receiver answers with
 * a thank-you page (303) or a page listing the errors. With it, a form is
 * checked in the browser with the rules its markup declares (required, type,
 * min, max, maxlength, pattern), then posted with fetch and `Accept: application/json`.
 * Errors follow the GOV.UK Design System's pattern: an error summary that
 * takes focus and links to each field, the same message next to the field
 * (tied to it by aria-describedby), and « Erreur : » before the page title.
 *
 * The messages repeat those of the receiver (formbackend/validation.py), so
 * that a visitor reads the same words with or without JavaScript; the
 * end-to-end tests compare them.
 *
 * Plain ES2017, no dependency, no inline script: it runs under a strict
 * Content-Security-Policy, provided connect-src allows the form endpoint.
 */
(function () {
  "use strict";

  if (!window.fetch || !window.FormData || !window.URLSearchParams || !document.querySelectorAll) {
    return; // an old browser: the forms post without help, which works too
  }

  const REQUEST_TIMEOUT_MS = 30000;
  const TITLE_PREFIX = "Erreur : ";

  // Same phrasing as the receiver's (formbackend/validation.py).
  const REQUIRED_BY_AUTOCOMPLETE = {
    "given-name": "Indiquez votre prénom",
    "family-name": "Indiquez votre nom",
    "name": "Indiquez vos prénom et nom",
    "email": "Indiquez votre adresse électronique",
    "tel": "Indiquez votre numéro de téléphone",
    "organization": "Indiquez votre collectivité ou votre établissement",
    "organization-title": "Indiquez votre fonction",
  };
  const EMAIL_INVALID = "Saisissez une adresse électronique valide, par exemple prenom.nom@mairie-exemple.fr";
  const EMAIL_NOT_ASCII = "Saisissez une adresse électronique sans accent ni lettre d'un autre alphabet : nos courriels ne peuvent pas être envoyés à une telle adresse (par exemple prenom.nom@mairie-exemple.fr)";
  const TEL_INVALID = "Saisissez un numéro de téléphone valide, par exemple 02 40 20 77 50";

  // Defaults; the form's data-message-* attributes (set by the templates) win.
  const DEFAULT_MESSAGES = {
    sending: "Envoi en cours…",
    success: "Votre demande est envoyée. Un courriel de confirmation va vous être adressé.",
    unavailable: "Le service d'envoi ne répond pas. Réessayez dans quelques minutes.",
    tooMany: "Trop d'envois en peu de temps : réessayez dans quelques minutes.",
  };

  const TEL = /^[0-9 +.()\-]+$/;
  const INTEGER = /^[+-]?[0-9]{1,9}$/;

  // -- checks ----------------------------------------------------------------

  /* The address rule is the receiver's (offer/forms.py, EMAIL_PATTERN), written
     by the site in the input's pattern attribute; the receiver checks more
     (reserved domains, lengths) and answers with the same words. */
  function emailMessage(control, address) {
    if (/[^\x00-\x7f]/.test(address)) return EMAIL_NOT_ASCII;
    const pattern = control.getAttribute("pattern");
    if (pattern && !new RegExp("^(?:" + pattern + ")$", "u").test(address)) return EMAIL_INVALID;
    return null;
  }

  function characterCount(text) {
    return Array.from(text).length; // code points, as the receiver counts
  }

  /* The field's name for messages: its label, without « (facultatif) ». */
  function fieldLabel(control) {
    const label = control.labels && control.labels[0];
    if (!label) return control.name;
    const copy = label.cloneNode(true);
    copy.querySelectorAll(".form-field__optional, .visually-hidden").forEach((node) => node.remove());
    return copy.textContent.replace(/\s+/g, " ").trim() || control.name;
  }

  function requiredMessage(control) {
    const kind = control.tagName === "SELECT" ? "select" : (control.getAttribute("type") || "text").toLowerCase();
    if (kind === "email") return REQUIRED_BY_AUTOCOMPLETE.email;
    if (kind === "select") return "Choisissez une réponse pour « " + fieldLabel(control) + " »";
    const token = (control.getAttribute("autocomplete") || "").trim();
    if (Object.prototype.hasOwnProperty.call(REQUIRED_BY_AUTOCOMPLETE, token)) return REQUIRED_BY_AUTOCOMPLETE[token];
    return "Renseignez le champ « " + fieldLabel(control) + " »";
  }

  function numberAttribute(control, name) {
    const raw = control.getAttribute(name);
    if (raw === null || raw.trim() === "") return null;
    const value = Number(raw);
    return Number.isFinite(value) ? value : null;
  }

  /* The error message for one control, or null when its value is acceptable. */
  function checkControl(control) {
    const kind = control.tagName === "SELECT" ? "select" : (control.getAttribute("type") || "text").toLowerCase();
    const label = fieldLabel(control);
    const badNumber = kind === "number" && control.validity && control.validity.badInput;
    const value = (control.value || "").normalize("NFC").trim();
    if (!value && !badNumber) {
      return control.hasAttribute("required") ? requiredMessage(control) : null;
    }
    const limit = numberAttribute(control, "maxlength");
    const count = characterCount(value);
    if (limit !== null && count > limit) {
      return "Le champ « " + label + " » doit compter " + limit + " caractères au plus (vous en avez saisi " + count + ") : raccourcissez-le";
    }
    if (kind === "email") {
      const problem = emailMessage(control, value);
      if (problem) return problem;
    }
    if (kind === "tel") {
      const digits = (value.match(/[0-9]/g) || []).length;
      if (!TEL.test(value) || digits < 4 || digits > 20) return TEL_INVALID;
    }
    if (kind === "number") {
      if (badNumber || !INTEGER.test(value)) return "Indiquez « " + label + " » en chiffres, par exemple 3";
      const number = parseInt(value, 10);
      const low = numberAttribute(control, "min");
      const high = numberAttribute(control, "max");
      if ((low !== null && number < low) || (high !== null && number > high)) {
        if (low !== null && high !== null) return "« " + label + " » doit être compris entre " + low + " et " + high;
        if (low !== null) return "« " + label + " » doit être égal ou supérieur à " + low;
        return "« " + label + " » doit être égal ou inférieur à " + high;
      }
    }
    return null;
  }

  // -- one form --------------------------------------------------------------

  function enhance(form) {
    const name = form.id;
    const summary = document.getElementById(name + "-erreurs");
    const list = summary ? summary.querySelector(".error-summary__list") : null;
    const status = document.getElementById(name + "-statut");
    const button = form.querySelector('button[type="submit"], button:not([type]), input[type="submit"]');
    if (!name || !summary || !list) return;

    const messages = {
      sending: form.getAttribute("data-message-sending") || DEFAULT_MESSAGES.sending,
      success: form.getAttribute("data-message-success") || DEFAULT_MESSAGES.success,
      unavailable: form.getAttribute("data-message-unavailable") || DEFAULT_MESSAGES.unavailable,
      tooMany: form.getAttribute("data-message-too-many") || DEFAULT_MESSAGES.tooMany,
    };
    let sending = false;

    /* The visible controls the visitor fills in (not hidden fields, not the honeypot). */
    function controls() {
      return Array.from(form.elements).filter((element) =>
        /^(INPUT|SELECT|TEXTAREA)$/.test(element.tagName) && element.name && element.id && !element.disabled &&
        !/^(hidden|submit|button|reset|image)$/i.test(element.type || "") &&
        !element.closest(".form__honeypot, [aria-hidden='true']"));
    }

    function controlFor(field) {
      if (!field) return null;
      const control = document.getElementById(name + "-" + field);
      if (!control || control.form !== form || control.type === "hidden") return null;
      return control;
    }

    function setTitle(withError) {
      const title = document.title;
      const prefixed = title.indexOf(TITLE_PREFIX) === 0;
      if (withError && !prefixed) document.title = TITLE_PREFIX + title;
      if (!withError && prefixed) document.title = title.slice(TITLE_PREFIX.length);
    }

    function describedBy(control) {
      return (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    }

    function clearErrors() {
      controls().forEach((control) => {
        const errorId = control.id + "-erreur";
        const ids = describedBy(control).filter((id) => id !== errorId);
        if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
        else control.removeAttribute("aria-describedby");
        control.removeAttribute("aria-invalid");
        control.classList.remove("form-field__input--error");
        const group = control.closest(".form-field");
        if (group) group.classList.remove("form-field--error");
        const inline = document.getElementById(errorId);
        if (inline) {
          inline.textContent = "";
          inline.hidden = true;
        }
      });
      list.textContent = "";
      summary.hidden = true;
      setTitle(false);
    }

    function markField(control, message) {
      const errorId = control.id + "-erreur";
      const inline = document.getElementById(errorId);
      if (inline && !inline.hidden) return; // one inline message per field: the first
      if (inline) {
        const prefix = document.createElement("span");
        prefix.className = "visually-hidden";
        prefix.textContent = TITLE_PREFIX;
        inline.textContent = "";
        inline.appendChild(prefix);
        inline.appendChild(document.createTextNode(message));
        inline.hidden = false;
        const ids = describedBy(control);
        if (ids.indexOf(errorId) === -1) ids.push(errorId); // after the hint, as GOV.UK does
        control.setAttribute("aria-describedby", ids.join(" "));
      }
      control.setAttribute("aria-invalid", "true");
      control.classList.add("form-field__input--error");
      const group = control.closest(".form-field");
      if (group) group.classList.add("form-field--error");
    }

    /* errors: [{field, message}]; a field that is not shown gets no link. */
    function showErrors(errors) {
      clearErrors();
      errors.forEach((error) => {
        const message = String(error.message || "").trim() || messages.unavailable;
        const item = document.createElement("li");
        const control = controlFor(error.field);
        if (control) {
          const link = document.createElement("a");
          link.href = "#" + control.id;
          link.textContent = message;
          item.appendChild(link);
          markField(control, message);
        } else {
          item.textContent = message;
        }
        list.appendChild(item);
      });
      if (status) status.textContent = "";
      summary.hidden = false;
      setTitle(true);
      summary.focus();
    }

    function showProblem(message) {
      showErrors([{ field: null, message: message }]);
    }

    /* A link of the summary moves the focus to its field, label in view. */
    list.addEventListener("click", (event) => {
      const link = event.target.closest ? event.target.closest("a[href^='#']") : null;
      if (!link) return;
      const control = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (!control) return;
      event.preventDefault();
      const label = control.labels && control.labels[0];
      if (label && label.scrollIntoView) label.scrollIntoView();
      control.focus({ preventScroll: Boolean(label) });
    });

    function setSending(on) {
      sending = on;
      form.classList.toggle("form--sending", on);
      if (on) form.setAttribute("aria-busy", "true");
      else form.removeAttribute("aria-busy");
      if (button) {
        if (on) button.setAttribute("aria-disabled", "true");
        else button.removeAttribute("aria-disabled");
      }
    }

    function safeNext(next) {
      if (typeof next !== "string" || !next) return null;
      try {
        const url = new URL(next, window.location.href);
        return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
      } catch (error) {
        return null;
      }
    }

    function errorsFrom(data) {
      if (!data || !Array.isArray(data.errors)) return [];
      return data.errors.filter((error) => error && typeof error.message === "string" && error.message.trim());
    }

    async function send() {
      const body = new URLSearchParams();
      new FormData(form).forEach((value, key) => {
        if (typeof value === "string") body.append(key, value);
      });
      const controller = window.AbortController ? new AbortController() : null;
      const timer = controller ? window.setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS) : null;
      let response;
      let data = null;
      try {
        response = await window.fetch(form.getAttribute("action") || window.location.href, {
          method: "POST",
          body: body,
          headers: { Accept: "application/json" },
          credentials: "omit",
          signal: controller ? controller.signal : undefined,
        });
        try {
          data = await response.json();
        } catch (error) {
          data = null;
        }
      } catch (error) {
        showProblem(messages.unavailable); // network failure, blocked or timed out
        return;
      } finally {
        if (timer) window.clearTimeout(timer);
      }

      if (response.ok && data && data.ok === true) {
        clearErrors();
        // Read now: theme/js/disponibilites.js may have turned the form into the waiting list's.
        if (status) status.textContent = form.getAttribute("data-message-success") || messages.success;
        form.reset();
        const next = safeNext(data.next);
        if (next) window.location.assign(next);
        return;
      }
      const errors = errorsFrom(data);
      if (response.status === 429) {
        showProblem(errors.length ? errors[0].message : messages.tooMany);
      } else if (response.status >= 500 || !errors.length) {
        showProblem(messages.unavailable);
      } else {
        showErrors(errors); // 422, or a refusal the receiver explains (400, 403, 413…)
      }
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (sending) return;
      let errors;
      try {
        errors = [];
        controls().forEach((control) => {
          const message = checkControl(control);
          if (message) errors.push({ field: control.id.slice(name.length + 1), message: message });
        });
      } catch (error) {
        HTMLFormElement.prototype.submit.call(form); // let the receiver check it
        return;
      }
      if (errors.length) {
        showErrors(errors);
        return;
      }
      setSending(true);
      if (status) status.textContent = messages.sending;
      send().catch(() => showProblem(messages.unavailable)).then(() => {
        setSending(false);
        if (status && status.textContent === messages.sending) status.textContent = "";
      });
    });
  }

  document.querySelectorAll('form[data-ajax="true"]').forEach(enhance);
})();
