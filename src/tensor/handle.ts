// Tensor handles and their lifetimes: creation sites (debug), tidy scopes, and the
// FinalizationRegistry that frees what was forgotten.
import { flags } from "../core/flags.js";
import type { Node } from "../graph/node.js";
import { detachStorage } from "../runtime/realize.js";

/** Something that owns a node handle: a Tensor. */
export interface Handle {
  readonly node: Node;
  dispose(): void;
}

const finalizer = new FinalizationRegistry<Node>((node) => releaseNode(node));

/** Live handles with their creation sites, recorded only while flags.debugLeaks is on. */
export const liveSites = new Map<Handle, string>();

const scopes: Set<Handle>[] = [];

/** Registers a new handle on `node` (called by the Tensor constructor). */
export function retainNode(h: Handle, node: Node, fresh = true): void {
  node.handles++;
  finalizer.register(h, node, h);
  if (!fresh) return;
  scopes[scopes.length - 1]?.add(h);
  if (flags.debugLeaks) liveSites.set(h, creationSite());
}

/** Drops the handle `h` on `node`; the node's buffer goes with its last handle. */
export function releaseHandle(h: Handle, node: Node, final = true): void {
  finalizer.unregister(h);
  if (final) liveSites.delete(h);
  releaseNode(node);
}

function releaseNode(node: Node): void {
  node.handles--;
  if (node.handles <= 0 && node.realized) detachStorage(node);
}

function creationSite(): string {
  const lines = (new Error().stack ?? "").split("\n").slice(1);
  const user = lines.find(
    (l) => !/[/\\]src[/\\](tensor|runtime|graph|autodiff|kernel|ops)[/\\]|[/\\]dist[/\\]|node:internal/.test(l),
  );
  return (user ?? lines[0] ?? "").trim();
}

/** Opens a scope collecting new handles; returns them when closed. */
export function openScope(): void {
  scopes.push(new Set());
}
export function closeScope(): Set<Handle> {
  return scopes.pop() ?? new Set();
}
/** Removes `h` from the innermost scope (so a tidy that returned it keeps it in the outer one). */
export function adoptIntoParent(h: Handle): void {
  scopes[scopes.length - 1]?.add(h);
}

/** Takes `h` out of every open tidy scope (for values owned elsewhere, such as gradients). */
export function untrack(h: Handle): void {
  for (const s of scopes) s.delete(h);
}
