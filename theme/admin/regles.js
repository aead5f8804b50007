/*
 * The site's rules for the CMS preview: price per participant, availability
 * badge, French dates and amounts. A port of offer/pricing.py,
 * offer/availability.py and offer/formatting.py; tests/cms/test_rules.py runs
 * it with Node on every sample entry and compares it with the Python rules.
 * Dates are ISO strings (AAAA-MM-JJ): they compare as text.
 */

const DAYS = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'];
const MONTHS = [
  'janvier', 'février', 'mars', 'avril', 'mai', 'juin',
  'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre',
];
const NBSP = '\u00a0';
const GROUP = '\u202f'; // CLDR's French group separator, as Babel writes it

function parts(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return { y, m, d, date: new Date(Date.UTC(y, m - 1, d)) };
}

export function isIsoDate(value) {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const { y, m, d, date } = parts(value);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function addDays(iso, n) {
  const date = parts(iso).date;
  date.setUTCDate(date.getUTCDate() + n);
  return date.toISOString().slice(0, 10);
}

/** 'jeudi 11 mars 2027'; 'lundi 1er mars 2027'. */
export function longDate(iso) {
  const { y, m, d, date } = parts(iso);
  return `${DAYS[date.getUTCDay()]} ${d === 1 ? '1er' : d} ${MONTHS[m - 1]} ${y}`;
}

/** '9 h 00'. */
export function clock(hhmm) {
  const [h, m] = hhmm.split(':');
  return `${Number(h)}${NBSP}h${NBSP}${m}`;
}

/** '2 100 €', '12,50 €'. Amounts in cents avoid floating-point sums. */
export function euros(cents) {
  const whole = Math.trunc(cents / 100);
  const rest = Math.abs(cents % 100);
  const grouped = String(Math.abs(whole)).replace(/\B(?=(\d{3})+(?!\d))/g, GROUP);
  const sign = cents < 0 ? '-' : '';
  return rest ? `${sign}${grouped},${String(rest).padStart(2, '0')}${NBSP}€` : `${sign}${grouped}${NBSP}€`;
}

function toCents(amount) {
  return Math.round(Number(amount) * 100);
}

export function firstDate(seances) {
  return seances.map((s) => s.date).sort()[0];
}

export function lastDate(seances) {
  const dates = seances.map((s) => s.date).sort();
  return dates[dates.length - 1];
}

/** The latest rate whose year is not after `year`, or null. */
export function rateForYear(rates, year) {
  const eligible = rates.filter((r) => Number(r.annee) <= year);
  if (!eligible.length) return null;
  return eligible.reduce((a, b) => (Number(b.annee) > Number(a.annee) ? b : a));
}

export function countDays(seances) {
  const full = seances.filter((s) => s.duree === 'journee').length;
  return { full, half: seances.length - full };
}

/** {cents, rateYear, full, half} or null when no rate applies. */
export function pricePerParticipant(seances, rates) {
  const first = firstDate(seances);
  const rate = rateForYear(rates, parts(first).y);
  if (!rate) return null;
  const { full, half } = countDays(seances);
  return { cents: full * toCents(rate.journee) + half * toCents(rate.demi_journee), rateYear: Number(rate.annee), full, half };
}

function placesLabel(n) {
  return n === 1 ? "Plus qu'une place" : `Plus que ${n} places`;
}

/** The badge at `today` (ISO), in offer/availability.py's order. */
export function availability(w, today, threshold = 3) {
  const left = Math.max(Number(w.capacite) - Number(w.inscrits || 0), 0);
  const first = firstDate(w.seances);
  const upcoming = lastDate(w.seances) >= today;
  const deadline = w.cloture_inscriptions || addDays(first, -1);
  const statut = w.statut || 'programme';
  if (statut === 'annule') return { state: 'annule', label: 'Annulé', left };
  if (statut === 'reporte') return { state: 'reporte', label: 'Reporté', left };
  if (!upcoming) return { state: 'termine', label: 'Terminé', left };
  if (deadline < today) return { state: 'inscriptions-closes', label: 'Inscriptions closes', left };
  if (left === 0) return { state: 'complet', label: 'Complet', left: 0 };
  if (w.ouverture_inscriptions && w.ouverture_inscriptions > today) {
    return { state: 'bientot', label: 'Inscriptions bientôt ouvertes', left };
  }
  if (left <= threshold) return { state: 'dernieres-places', label: placesLabel(left), left };
  return { state: 'disponible', label: 'Places disponibles', left };
}

/** Today in Paris, as AAAA-MM-JJ. */
export function todayInParis(now = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(now);
}
