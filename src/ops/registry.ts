// The typed registry of every primitive. Tables typed over OpName (tests, docs, renderers) fail to
// compile when an op is added without its row.
import type { OpDef } from "./def.js";
import { binaryOps, selectOps, unaryOps } from "./elementwise.js";
import { linalgOps } from "./linalg.js";
import { movementOps } from "./movement.js";
import { reduceOps } from "./reduce.js";
import { sourceOps } from "./source.js";

export const OPS = {
  ...sourceOps,
  ...unaryOps,
  ...binaryOps,
  ...selectOps,
  ...reduceOps,
  ...movementOps,
  ...linalgOps,
};

export type OpName = keyof typeof OPS;
/** The params object of op K. */
export type ParamsOf<K extends OpName> = (typeof OPS)[K] extends OpDef<infer P> ? P : never;

export function opDef(name: string): OpDef<object> {
  const d = (OPS as Record<string, OpDef<never>>)[name];
  if (!d) throw new Error(`unknown op ${name}`);
  return d as unknown as OpDef<object>;
}

export function isOpName(name: string): name is OpName {
  return Object.hasOwn(OPS, name);
}
