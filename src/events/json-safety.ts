import { formatPath } from '../common/validation';

/**
 * Checks that a JSON value can be stored as a MongoDB document and queried safely: no key
 * that MongoDB would read as an operator (`$…`) or a path (`a.b`), no empty or NUL keys, and
 * bounded nesting. Returns the first problem, naming where it is, or undefined.
 */
export const MAX_DEPTH = 16;

export function findUnsafeJson(value: unknown): string | undefined {
  return unsafeAt(value, [], 0);
}

/** `path` is where `value` sits: one array, pushed and popped, copied only to name a problem. */
function unsafeAt(value: unknown, path: PropertyKey[], depth: number): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (depth >= MAX_DEPTH) return `${formatPath(path) || 'body'}: nested deeper than ${MAX_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const problem = unsafeAt(value[i], path, depth + 1);
      path.pop();
      if (problem) return problem;
    }
    return undefined;
  }
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (!key) return `${formatPath(path) || 'body'}: keys may not be empty`;
    if (key.startsWith('$') || key.includes('.') || key.includes('\0')) {
      return `${formatPath([...path, key])}: keys may not start with "$" or contain "." or NUL`;
    }
    path.push(key);
    const problem = unsafeAt((value as Record<string, unknown>)[key], path, depth + 1);
    path.pop();
    if (problem) return problem;
  }
  return undefined;
}

/** A copy of a JSON value with every object key renamed, at any depth. */
export function renameKeys(value: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => renameKeys(item, rename));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, child]) => [rename(key), renameKeys(child, rename)]));
}
