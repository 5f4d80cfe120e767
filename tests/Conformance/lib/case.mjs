// A case: a name (the result line's key), what it covers (RFC clauses, listed in docs/security.md), and the steps.

/**
 * @param {string} name kebab-case, unique
 * @param {string} covers the specification clauses the case exercises
 * @param {(context: object) => Promise<void>} run throws on any deviation
 */
export function defineCase(name, covers, run) {
  return Object.freeze({ name, covers, run });
}

export function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

export function equal(actual, expected, what) {
  check(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** Runs `step`, which must throw; returns what it threw. */
export async function rejects(step, what) {
  try {
    await step();
  } catch (error) {
    return error;
  }
  throw new Error(`${what} was accepted`);
}
