/*
 * The editing interface (/admin/): Decap CMS with French labels, the
 * configuration generated from the model (config.yml, written by the build),
 * our file formats (formats.js) and the session preview (apercu.js).
 * Bundled by esbuild at build time (plugins/offer_cms); never loaded by the
 * public pages.
 */

import CMS from 'decap-cms-app';
import { parse } from 'yaml';

import { atelierPreview } from './apercu.js';
import { checkRates, pelicanMarkdown, SOURCE_KEY, yamlFormat } from './formats.js';

async function start() {
  const response = await fetch('config.yml', { cache: 'no-cache' });
  const config = parse(await response.text());
  // Our own keys (cdg44: …) say how to write each collection's files; Decap does not know them.
  const rules = {};
  for (const collection of config.collections) {
    const own = collection.cdg44 || {};
    delete collection.cdg44;
    const fields = collection.fields || (collection.files || [])[0].fields;
    if (collection.format === 'pelican-markdown') continue;
    CMS.registerCustomFormat(collection.format, collection.extension, yamlFormat(fields, {
      schemaLine: own.schema_line || '',
      flowLists: own.flow_lists || [],
    }));
    if (own.rules) Object.assign(rules, own.rules);
  }
  CMS.registerCustomFormat('pelican-markdown', 'md', pelicanMarkdown);

  // Hand the formats the file as it was, so that they change only what the editor changed.
  CMS.registerEventListener({
    name: 'preSave',
    handler: ({ entry }) => {
      const source = entry.get('raw');
      const data = entry.get('data');
      if (entry.get('collection') === 'tarifs') checkRates(source, data.toJS());
      return source ? data.set(SOURCE_KEY, source) : undefined;
    },
  });

  CMS.registerPreviewTemplate('ateliers', atelierPreview(rules));
  CMS.registerPreviewStyle('apercu.css');
  CMS.init({ config: { ...config, load_config_file: false } });
}

start();
