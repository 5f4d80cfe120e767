// Runs the conformance cases against the server named by IDENTITYHOST_CONFORMANCE_ISSUER and prints one JSON line per
// case: {"case": name, "ok": true|false, "ms": duration, "detail": why it failed}. Exits 1 if any case failed.
// `node run.mjs --list` prints the cases and what each covers, and needs no server.

import { cases } from './cases/index.mjs';
import { loadConfig } from './lib/config.mjs';
import { createContext } from './lib/context.mjs';

const caseTimeoutMs = 30_000;

function describe(error) {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const parts = [`${error.name}: ${error.message}`];
  if (error.code) parts.push(`code=${error.code}`);
  if (error.error) parts.push(`error=${error.error}`);
  if (error.error_description) parts.push(`error_description=${error.error_description}`);
  if (error.status) parts.push(`status=${error.status}`);
  const cause = error.cause;
  if (cause instanceof Error) {
    parts.push(`cause: ${cause.message}`);
  } else if (cause !== undefined) {
    parts.push(`cause: ${JSON.stringify(cause).slice(0, 300)}`);
  }
  return parts.join('; ');
}

function report(line) {
  process.stdout.write(JSON.stringify(line) + '\n');
}

function withTimeout(promise, name) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} took over ${caseTimeoutMs} ms`)), caseTimeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

if (process.argv.includes('--list')) {
  for (const { name, covers } of cases) {
    report({ case: name, covers });
  }
  process.exit(0);
}

const config = loadConfig();
const unknown = config.only.filter((name) => !cases.some((candidate) => candidate.name === name));
const selected = config.only.length > 0 ? cases.filter((candidate) => config.only.includes(candidate.name)) : cases;
let failed = 0;
for (const name of unknown) {
  report({ case: name, ok: false, ms: 0, detail: 'no such case' });
  failed++;
}

let context;
try {
  context = await createContext(config);
} catch (error) {
  for (const { name } of selected) {
    report({ case: name, ok: false, ms: 0, detail: `setup (discovery) failed: ${describe(error)}` });
  }
  process.exit(1);
}

for (const { name, run } of selected) {
  const started = performance.now();
  try {
    await withTimeout(run(context), name);
    report({ case: name, ok: true, ms: Math.round(performance.now() - started) });
  } catch (error) {
    failed++;
    report({ case: name, ok: false, ms: Math.round(performance.now() - started), detail: describe(error) });
  }
}

process.exit(failed > 0 ? 1 : 0);
