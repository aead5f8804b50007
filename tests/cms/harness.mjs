// Runs the /admin/ scripts' functions for the Python tests: a JSON request on
// stdin ({"call": name, "args": [...]}, or a list of them), JSON results on stdout.
import { readFileSync } from 'node:fs';

import * as formats from '../../theme/admin/formats.js';
import * as regles from '../../theme/admin/regles.js';

const calls = {
  yamlRoundTrip: ({ fields, options, text, data }) => {
    const format = formats.yamlFormat(fields, options);
    const read = text === null ? null : format.fromFile(text);
    const written = format.toFile(data === undefined ? { ...read, [formats.SOURCE_KEY]: text } : data);
    return { read, written };
  },
  yamlNew: ({ fields, options, data }) => formats.yamlFormat(fields, options).toFile(data),
  yamlEdit: ({ fields, options, text, changes }) => {
    const format = formats.yamlFormat(fields, options);
    const data = { ...format.fromFile(text), ...changes, [formats.SOURCE_KEY]: text };
    return format.toFile(data);
  },
  checkRates: ({ source, data }) => {
    try {
      formats.checkRates(source, data);
      return null;
    } catch (error) {
      return error.message;
    }
  },
  pageRoundTrip: ({ text, changes }) => {
    const data = { ...formats.pelicanMarkdown.fromFile(text), ...changes, [formats.SOURCE_KEY]: text };
    return { read: formats.pelicanMarkdown.fromFile(text), written: formats.pelicanMarkdown.toFile(data) };
  },
  rules: ({ workshop, rates, today, threshold }) => ({
    availability: regles.availability(workshop, today, threshold),
    price: regles.pricePerParticipant(workshop.seances, rates),
    dates: workshop.seances.map((s) => regles.longDate(s.date)),
  }),
  euros: ({ cents }) => regles.euros(cents),
  longDate: ({ iso }) => regles.longDate(iso),
};

const request = JSON.parse(readFileSync(0, 'utf8'));
const run = ({ call, args }) => calls[call](args);
process.stdout.write(JSON.stringify(Array.isArray(request) ? request.map(run) : run(request)));
