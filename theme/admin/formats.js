/*
 * How the CMS reads and writes our files, so that a file saved through the
 * CMS is the file an editor would have written (tests/cms/test_formats.py):
 *
 * - YAML (sessions, rates): the file is edited in place. Only the values the
 *   editor changed are rewritten; comments, key order, flow style
 *   ({date: …, duree: …}) and quoting of untouched values stay as they were.
 *   A new value is quoted whenever YAML 1.1 (PyYAML, which the build uses)
 *   would not read it back as the same text: "14:30", "non", "01000"… A new
 *   file starts with the schema comment line and takes the model's key order.
 * - Pelican Markdown (pages): "Clé: valeur" lines, a blank line, the text.
 *
 * Decap gives a format only the data; the original text comes from the
 * preSave hook (withSource), under SOURCE_KEY, and is removed before writing.
 */

import { isMap, isScalar, isSeq, parseDocument, Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

export const SOURCE_KEY = '__source_cdg44';

const STRINGIFY = { lineWidth: 0, indentSeq: true, flowCollectionPadding: false, version: '1.2' };

// What PyYAML (YAML 1.1) would not read back as a string.
const YAML11_SPECIAL = [
  /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(~|null|Null|NULL|<<|=)$/,
  /^[-+]?[0-9_.:]+([eE][-+]?[0-9]+)?$/, // numbers, 01000, 1_000, 14:30 (sexagesimal)
  /^[-+]?0[xXbBoO][0-9a-fA-F_]+$/,
  /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/,
  /^\d{4}-\d\d?-\d\d?([Tt ].*)?$/, // timestamps
];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isEmpty(value) {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.values(value).every(isEmpty);
  return false;
}

function clean(value) {
  // Decap leaves "" for an emptied field, and text with trailing spaces.
  if (Array.isArray(value)) return value.map(clean).filter((v) => !isEmpty(v));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) if (!isEmpty(v)) out[k] = clean(v);
    return out;
  }
  if (typeof value === 'string') return value.replace(/[ \t]+$/gm, '').replace(/\s+$/, '');
  return value;
}

function sameValue(node, value) {
  const current = node && typeof node.toJSON === 'function' ? node.toJSON() : node;
  return JSON.stringify(clean(current)) === JSON.stringify(value);
}

/**
 * The shape of a collection, from its Decap fields: key order, date fields,
 * Markdown fields, and which lists hold their items in flow style.
 */
export function shapeOf(fields, flowLists = []) {
  const shape = { order: [], dates: new Set(), blocks: new Set(), flowItems: false, children: {} };
  for (const field of fields || []) {
    shape.order.push(field.name);
    if (field.widget === 'datetime' && field.format === 'YYYY-MM-DD') shape.dates.add(field.name);
    if (field.widget === 'markdown' || field.widget === 'text') shape.blocks.add(field.name);
    if (field.fields) {
      const child = shapeOf(field.fields, flowLists);
      child.flowItems = field.widget === 'list' && flowLists.includes(field.name);
      shape.children[field.name] = child;
    }
  }
  return shape;
}

function scalarNode(doc, value, key, shape) {
  const node = doc.createNode(value);
  if (typeof value !== 'string') return node;
  if (shape.dates.has(key) && ISO_DATE.test(value)) {
    node.type = Scalar.PLAIN;
  } else if (shape.blocks.has(key) && value.includes('\n')) {
    // "description: |" and its lines, ending with one line break, as editors write it.
    node.value = `${value}\n`;
    node.type = Scalar.BLOCK_LITERAL;
  } else if (YAML11_SPECIAL.some((re) => re.test(value.trim()))) {
    node.type = Scalar.QUOTE_DOUBLE;
  }
  return node;
}

function newNode(doc, value, key, shape, flowHint) {
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    const child = shape.children[key] || shapeOf([]);
    const scalars = value.every((v) => v === null || typeof v !== 'object');
    seq.flow = scalars;
    for (const item of value) seq.items.push(newNode(doc, item, key, child, child.flowItems));
    return seq;
  }
  if (value && typeof value === 'object') {
    const map = new YAMLMap();
    map.flow = !!flowHint;
    const child = flowHint || !shape.children[key] ? shape : shape.children[key];
    for (const k of orderedKeys(Object.keys(value), child.order)) {
      map.items.push(new Pair(doc.createNode(k), newNode(doc, value[k], k, child)));
    }
    return map;
  }
  return scalarNode(doc, value, key, shape);
}

function orderedKeys(keys, order) {
  const known = order.filter((k) => keys.includes(k));
  return [...known, ...keys.filter((k) => !order.includes(k))];
}

/** Bring `node` to `value`, touching only what changed. Returns the node to keep. */
function merge(doc, node, value, key, shape, flowHint) {
  if (node && sameValue(node, value)) return node;
  if (isMap(node) && value && typeof value === 'object' && !Array.isArray(value)) {
    const child = node.flow || !shape.children[key] ? shape : shape.children[key];
    mergeMap(doc, node, value, child);
    return node;
  }
  if (isSeq(node) && Array.isArray(value)) {
    const child = shape.children[key] || shapeOf([]);
    const flowItems = node.items.length ? isMap(node.items[0]) && node.items[0].flow : child.flowItems;
    value.forEach((item, i) => {
      node.items[i] = merge(doc, node.items[i], item, key, child, flowItems);
    });
    node.items.length = value.length;
    return node;
  }
  if (isScalar(node) && typeof value === 'string' && node.value === value) return node;
  const created = newNode(doc, value, key, shape, flowHint);
  // A comment on the line of the changed value stays with the new value.
  if (node && node.comment) created.comment = node.comment;
  if (node && node.commentBefore) created.commentBefore = node.commentBefore;
  return created;
}

function mergeMap(doc, map, value, shape) {
  const wanted = Object.keys(value);
  map.items = map.items.filter((pair) => wanted.includes(String(pair.key)));
  for (const k of wanted) {
    const pair = map.items.find((p) => String(p.key) === k);
    if (pair) {
      pair.value = merge(doc, pair.value, value[k], k, shape, map.flow);
      continue;
    }
    // A new key goes before the first existing key that follows it in the model's order.
    const rank = shape.order.indexOf(k);
    const at = rank < 0 ? -1 : map.items.findIndex((p) => shape.order.indexOf(String(p.key)) > rank);
    const created = new Pair(doc.createNode(k), newNode(doc, value[k], k, shape, false));
    if (at < 0) map.items.push(created);
    else map.items.splice(at, 0, created);
  }
}

function parse(text) {
  const doc = parseDocument(text, { version: '1.2', keepSourceTokens: false });
  if (doc.errors.length) throw doc.errors[0];
  return doc;
}

/** Lines that differ from the source only by spaces (aligned comments) are taken back as they were. */
function keepSpacing(text, source) {
  const squeeze = (line) => line.replace(/\s+/g, ' ').trim();
  const originals = new Map();
  for (const line of source.split('\n')) {
    const key = squeeze(line);
    if (!originals.has(key)) originals.set(key, []);
    originals.get(key).push(line);
  }
  return text
    .split('\n')
    .map((line) => {
      const same = originals.get(squeeze(line));
      return same && same.length ? same.shift() : line;
    })
    .join('\n');
}

/** A Decap custom format for one YAML collection (fields: the collection's fields). */
export function yamlFormat(fields, { schemaLine, flowLists = [] }) {
  const shape = shapeOf(fields, flowLists);
  return {
    fromFile(text) {
      return parse(text).toJS() || {};
    },
    toFile(data) {
      const { [SOURCE_KEY]: source, ...rest } = data;
      const value = clean(rest);
      let doc;
      if (source) {
        doc = parse(source);
        if (!isMap(doc.contents)) doc.contents = new YAMLMap();
        mergeMap(doc, doc.contents, value, shape);
      } else {
        doc = new Document();
        doc.contents = newNode(doc, value, null, shape, false);
      }
      const text = source ? keepSpacing(doc.toString(STRINGIFY), source) : doc.toString(STRINGIFY);
      // Decap knows no comments: the schema line is put back if it is missing.
      const hasLine = text.split('\n').some((line) => line.trim() === schemaLine);
      return !schemaLine || hasLine ? text : `${schemaLine}\n${text}`;
    },
  };
}

/** What the rates' file may not change: the years already voted (French message). */
export function checkRates(source, data) {
  if (!source) return;
  const before = (parse(source).toJS() || {}).tarifs || [];
  const after = clean(data).tarifs || [];
  for (const old of before) {
    const now = after.find((r) => Number(r.annee) === Number(old.annee));
    if (!now) {
      throw new Error(`le tarif de ${old.annee} a disparu : les tarifs votés restent dans le fichier.`);
    }
    if (JSON.stringify(clean(old)) !== JSON.stringify(now)) {
      throw new Error(
        `le tarif de ${old.annee} a été modifié : un tarif voté ne se modifie pas. Ajoutez une nouvelle année en bas de la liste.`,
      );
    }
  }
  const years = after.map((r) => Number(r.annee));
  if (new Set(years).size !== years.length) throw new Error('une année figure deux fois dans les tarifs.');
}

// -- Pelican Markdown pages: "Clé: valeur" lines, a blank line, the text. --

const META_LINE = /^([A-Za-z][A-Za-z0-9_-]*):\s?(.*)$/;

export const pelicanMarkdown = {
  fromFile(text) {
    const lines = text.replace(/\r\n/g, '\n').split('\n');
    const data = {};
    let i = 0;
    for (; i < lines.length; i += 1) {
      const match = META_LINE.exec(lines[i]);
      if (!match) break;
      data[match[1]] = match[2];
    }
    while (i < lines.length && lines[i].trim() === '') i += 1;
    data.body = lines.slice(i).join('\n').replace(/\n+$/, '');
    return data;
  },
  toFile(data, sortedKeys = []) {
    const { [SOURCE_KEY]: source, body = '', ...meta } = data;
    const single = (v) => String(v ?? '').replace(/\s*\n\s*/g, ' ').trim();
    const keys = [];
    if (source) keys.push(...Object.keys(pelicanMarkdown.fromFile(source)).filter((k) => k !== 'body'));
    for (const k of [...sortedKeys, ...Object.keys(meta)]) {
      if (k !== 'body' && !keys.includes(k) && !isEmpty(meta[k])) keys.push(k);
    }
    const head = keys.filter((k) => k in meta).map((k) => `${k}: ${single(meta[k])}`.trimEnd());
    return `${head.join('\n')}\n\n${String(body).replace(/\s+$/, '')}\n`;
  },
};
