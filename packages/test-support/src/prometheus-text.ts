// A strict reader of the Prometheus text exposition format (version 0.0.4, what prom-client serves by
// default), written for the tests from the format's specification rather than from prom-client's code:
// a test that read prom-client's output with prom-client would prove nothing. The one parser on npm
// (parse-prometheus-text-format 1.1.1) drops the labels, `_sum` and `_count` of a labelled histogram,
// exactly what these tests assert on. It throws on any line Prometheus would refuse.
import { type HttpAnswer, httpRequest } from './http';

/** One sample line. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A metric family: its `# HELP`, `# TYPE` and samples. */
export interface MetricFamily {
  readonly name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** The sample names a family of `type` may hold. */
function sampleNamesOf(family: MetricFamily): string[] {
  const { name, type } = family;
  if (type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

function parseValue(text: string, line: number): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text))
    throw new Error(`line ${line}: bad value ${text}`);
  return Number(text);
}

/** Reads `{a="1",b="x\"y"}` from `text` at `start` (the `{`); returns the labels and the index after `}`. */
function parseLabels(text: string, start: number, line: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let index = start + 1;
  while (text[index] !== '}') {
    const equals = text.indexOf('=', index);
    if (equals < 0) throw new Error(`line ${line}: label without '='`);
    const name = text.slice(index, equals);
    if (!LABEL_NAME.test(name)) throw new Error(`line ${line}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`line ${line}: label ${name} given twice`);
    if (text[equals + 1] !== '"') throw new Error(`line ${line}: label value of ${name} not quoted`);
    let value = '';
    index = equals + 2;
    for (;;) {
      const char = text[index];
      if (char === undefined) throw new Error(`line ${line}: unterminated label value`);
      index += 1;
      if (char === '"') break;
      if (char === '\\') {
        const escaped = text[index];
        index += 1;
        if (escaped === '\\') value += '\\';
        else if (escaped === '"') value += '"';
        else if (escaped === 'n') value += '\n';
        else throw new Error(`line ${line}: bad escape \\${escaped}`);
      } else {
        value += char;
      }
    }
    labels[name] = value;
    if (text[index] === ',') index += 1;
    else if (text[index] !== '}') throw new Error(`line ${line}: expected ',' or '}' after label ${name}`);
  }
  return [labels, index + 1];
}

/** Parses an exposition; throws an Error naming the line for anything the format does not allow. */
export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const series = new Set<string>();
  let current: MetricFamily | undefined;
  const familyOf = (name: string): MetricFamily => {
    let family = families.get(name);
    if (!family) {
      family = { name, help: '', type: 'untyped', samples: [] };
      families.set(name, family);
    }
    return family;
  };
  for (const [offset, raw] of text.split('\n').entries()) {
    const line = offset + 1;
    if (raw.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
    if (meta) {
      const [, kind, name = '', rest = ''] = meta;
      if (!METRIC_NAME.test(name)) throw new Error(`line ${line}: bad metric name ${name}`);
      const family = familyOf(name);
      if (family.samples.length > 0) throw new Error(`line ${line}: ${kind} of ${name} after its samples`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`line ${line}: unknown type ${rest}`);
        family.type = rest as MetricFamily['type'];
      } else {
        family.help = rest.replace(/\\(\\|n)/g, (_match, escaped: string) => (escaped === 'n' ? '\n' : '\\'));
      }
      current = family;
      continue;
    }
    if (raw.startsWith('#')) continue;
    const nameEnd = raw.search(/[{ ]/);
    if (nameEnd <= 0) throw new Error(`line ${line}: no value`);
    const name = raw.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) throw new Error(`line ${line}: bad metric name ${name}`);
    let labels: Record<string, string> = {};
    let index = nameEnd;
    if (raw[index] === '{') [labels, index] = parseLabels(raw, index, line);
    const fields = raw.slice(index).trim().split(/ +/);
    if (fields.length < 1 || fields.length > 2 || fields[0] === '')
      throw new Error(`line ${line}: bad sample`);
    const value = parseValue(fields[0] ?? '', line);
    if (!current || !sampleNamesOf(current).includes(name)) {
      throw new Error(
        `line ${line}: sample ${name} outside its family (no # TYPE before it, or interleaved)`,
      );
    }
    if (name.endsWith('_bucket') && current.type === 'histogram' && labels.le === undefined) {
      throw new Error(`line ${line}: histogram bucket without le`);
    }
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) throw new Error(`line ${line}: series ${key} given twice`);
    series.add(key);
    current.samples.push({ name, labels, value });
  }
  return families;
}

/** A scrape: the answer and its families. */
export interface Scrape {
  readonly answer: HttpAnswer;
  readonly families: Map<string, MetricFamily>;
  /** The value of the one sample named `name` whose labels include `labels`; undefined when none. */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
  /** Every sample named `name` whose labels include `labels`. */
  samples(name: string, labels?: Readonly<Record<string, string>>): Sample[];
}

/** GETs `url` (200 and the text format expected) and parses it. */
export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const answer = await httpRequest(url, { headers });
  if (answer.status !== 200) throw new Error(`scraping ${url} answered ${answer.status}: ${answer.text}`);
  if (!/^text\/plain; version=0\.0\.4/.test(String(answer.headers['content-type']))) {
    throw new Error(`scraping ${url}: unexpected content type ${answer.headers['content-type']}`);
  }
  const families = parsePrometheusText(answer.text);
  const samples = (name: string, labels: Readonly<Record<string, string>> = {}): Sample[] => {
    const family = families.get(name.replace(/_(bucket|sum|count)$/, '')) ?? families.get(name);
    return (family?.samples ?? []).filter(
      (sample) =>
        sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  };
  return {
    answer,
    families,
    samples,
    value(name, labels) {
      const found = samples(name, labels);
      if (found.length > 1)
        throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
      return found[0]?.value;
    },
  };
}
