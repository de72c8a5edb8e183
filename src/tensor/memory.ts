// Memory management for users: tidy scopes, keep, and a report of live tensors with their
// creation sites (recorded while debugLeaks is on).
import { setFlags } from "../core/flags.js";
import { adoptIntoParent, closeScope, liveSites, openScope } from "./handle.js";
import { leaves } from "./pytree.js";
import { realizeAll, type Tensor } from "./tensor.js";

const keptSet = new WeakSet<object>();

/** Marks a tensor to survive the tidy scope it was made in. */
export function keep<T extends Tensor>(t: T): T {
  keptSet.add(t);
  return t;
}

function finish<T>(result: T): T {
  const scope = closeScope();
  const kept = leaves(result);
  const survivors = new Set<object>(kept);
  // survivors may still be lazy and read tensors about to be freed: compute them first
  const pending = kept.filter((t) => !t.isDisposed && scope.has(t));
  if (pending.length && [...scope].some((h) => !survivors.has(h) && !keptSet.has(h))) realizeAll(...pending);
  for (const h of scope) {
    if (survivors.has(h) || keptSet.has(h)) adoptIntoParent(h);
    else h.dispose();
  }
  return result;
}

/**
 * Runs fn and disposes every tensor it created except those it returns (tensors anywhere in a
 * returned array or object) and those passed to keep(). Works with async functions; scopes
 * nest, and concurrent async tidies should not interleave.
 */
export function tidy<T>(fn: () => T): T {
  openScope();
  let result: T;
  try {
    result = fn();
  } catch (e) {
    finish(undefined);
    throw e;
  }
  if (result instanceof Promise) {
    return result.then(
      (r) => finish(r),
      (e) => {
        finish(undefined);
        throw e;
      },
    ) as T;
  }
  return finish(result);
}

/** Disposes every tensor in a pytree. */
export function dispose(tree: unknown): void {
  for (const t of leaves(tree)) t.dispose();
}

/** Turns creation-site recording on or off (off by default: it costs a stack trace per tensor). */
export function debugLeaks(on = true): void {
  setFlags({ debugLeaks: on });
}

/** Live tensors created while debugLeaks was on, with the line that made each. */
export function leakReport(): { site: string; shape: number[]; dtype: string }[] {
  return [...liveSites.entries()].map(([h, site]) => ({ site, shape: [...h.node.shape], dtype: h.node.dtype }));
}
