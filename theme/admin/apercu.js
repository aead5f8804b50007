/*
 * The CMS preview of a session: what the site shows (title, question, dates
 * in French, badge and price per participant), computed by regles.js, the
 * port of the site's rules that tests/cms/test_rules.py checks against Python.
 */

import { createElement as h } from 'react';

import { availability, clock, euros, firstDate, isIsoDate, longDate, pricePerParticipant, todayInParis } from './regles.js';

const TYPES = { atelier: 'Atelier inter-collectivités', codev: 'Groupe de co-développement' };

function endTime(s) {
  if (s.fin) return s.fin;
  const [h0, m0] = (s.debut || '09:00').split(':').map(Number);
  const minutes = Math.min(h0 * 60 + m0 + (s.duree === 'journee' ? 480 : 210), 23 * 60 + 59);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

export function atelierPreview(rules) {
  return function AtelierPreview({ entry, widgetFor }) {
    const data = entry.get('data').toJS();
    const seances = (data.seances || []).filter((s) => s && isIsoDate(s.date));
    const blocks = [
      h('p', { className: 'apercu__type', key: 'type' }, TYPES[data.type] || ''),
      h('h1', { key: 'titre' }, data.titre || 'Sans titre'),
    ];
    const maximum = (rules.max_group_size || {})[data.type];
    if (maximum && Number(data.capacite) > maximum) {
      blocks.push(
        h('p', { className: 'apercu__alerte', key: 'places' }, `${maximum} places au plus pour ${data.type === 'codev' ? 'un groupe de co-développement' : 'un atelier'} : la vérification avant publication refusera ${data.capacite}.`),
      );
    }
    if (data.question) blocks.push(h('p', { className: 'apercu__question', key: 'q' }, data.question));
    if (seances.length) {
      const badge = availability({ ...data, seances }, todayInParis(), rules.threshold);
      blocks.push(h('p', { className: `apercu__badge apercu__badge--${badge.state}`, key: 'badge' }, badge.label));
      const price = pricePerParticipant(seances, rules.rates || []);
      blocks.push(
        h(
          'p',
          { className: 'apercu__prix', key: 'prix' },
          price
            ? `${euros(price.cents)} par participant (${[
                price.full ? plural(price.full, 'journée', 'journées') : '',
                price.half ? plural(price.half, 'demi-journée', 'demi-journées') : '',
              ]
                .filter(Boolean)
                .join(' et ')}, tarif ${price.rateYear})`
            : `Aucun tarif pour ${firstDate(seances).slice(0, 4)} : ajoutez-le dans Tarifs.`,
        ),
      );
      blocks.push(
        h(
          'ul',
          { className: 'apercu__seances', key: 'seances' },
          seances.map((s, i) =>
            h('li', { key: i }, `${longDate(s.date)}, ${clock(s.debut || '09:00')} – ${clock(endTime(s))}`),
          ),
        ),
      );
    } else {
      blocks.push(h('p', { className: 'apercu__alerte', key: 'vide' }, 'Ajoutez au moins une séance avec sa date.'));
    }
    if (data.lieu && data.lieu.nom) {
      blocks.push(h('p', { key: 'lieu' }, `${data.lieu.nom}${data.lieu.adresse ? `, ${data.lieu.adresse}` : ''}`));
    }
    if (data.public && data.public.length) blocks.push(h('p', { key: 'public' }, `Pour : ${data.public.join(', ')}`));
    if (data.objet) blocks.push(h('p', { key: 'objet' }, `Ce que le groupe produit : ${data.objet}`));
    blocks.push(h('div', { key: 'description' }, widgetFor('description')));
    return h('article', { className: 'apercu' }, blocks);
  };
}
