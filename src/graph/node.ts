// Graph nodes: immutable, hash-consed (equal op, params and inputs give the same node), with shape
// and dtype checked by the op's rules when the node is built.
import type { DType } from "../core/dtype.js";
import type { View } from "../core/shape.js";
import type { Builder } from "../ops/def.js";
import { opDef, type OpName, type ParamsOf } from "../ops/registry.js";

/** Where a realized node's value lives; the runtime owns the storage object. */
export interface Realized {
  readonly storage: object;
  readonly view: View;
}

let nextId = 1;

export class Node {
  readonly id = nextId++;
  /** Set while the node's value is held in a buffer (by the runtime). Not part of identity. */
  realized: Realized | undefined = undefined;
  /** Number of live tensor handles on this node (the runtime frees `realized` at zero). */
  handles = 0;
  /** Host data of a `const` node until it is uploaded. */
  hostData: ArrayBufferView | undefined = undefined;

  constructor(
    readonly op: OpName,
    readonly inputs: readonly Node[],
    readonly params: Readonly<Record<string, unknown>>,
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly key: string,
  ) {}

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/** JSON keeps NaN and ±Infinity apart (it would write all three as null) and -0 apart from 0. */
const exactNumbers = (_k: string, v: unknown): unknown =>
  typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? `#${Object.is(v, -0) ? "-0" : v}` : v;

const interned = new Map<string, WeakRef<Node>>();
const cleanup = new FinalizationRegistry<string>((key) => {
  const ref = interned.get(key);
  if (ref && !ref.deref()) interned.delete(key);
});

/** Builds (or finds) the node `op(inputs; params)`, checking shapes and dtypes. */
export function build<K extends OpName>(op: K, inputs: readonly Node[], params: ParamsOf<K>): Node;
export function build(op: string, inputs: readonly Node[], params?: object): Node;
export function build(op: string, inputs: readonly Node[], params: object = {}): Node {
  const def = opDef(op);
  if (inputs.length !== def.arity) throw new Error(`${op}: expected ${def.arity} inputs, got ${inputs.length}`);
  const inShapes = inputs.map((n) => n.shape);
  const inDtypes = inputs.map((n) => n.dtype);
  const shape = def.shape(inShapes, params, inDtypes);
  const dtype = def.dtype(inDtypes, params);
  const key = `${op}|${JSON.stringify(params, exactNumbers)}|${inputs.map((n) => n.id).join(",")}`;
  const hit = interned.get(key)?.deref();
  if (hit) return hit;
  const node = new Node(op as OpName, inputs, params as Record<string, unknown>, shape, dtype, key);
  interned.set(key, new WeakRef(node));
  cleanup.register(node, key);
  return node;
}

/** A Builder over graph nodes, for vjp rules and decompositions. */
export const graphBuilder: Builder<Node> = {
  call: (op, inputs, params) => build(op, inputs, params ?? {}),
  shape: (n) => n.shape,
  dtype: (n) => n.dtype,
};

/** Nodes reachable from `roots` (stopping below nodes for which `stop` holds), inputs before users. */
export function toposort(roots: readonly Node[], stop: (n: Node) => boolean = () => false): Node[] {
  const out: Node[] = [];
  const seen = new Set<Node>();
  const stack: [Node, boolean][] = roots.map((r) => [r, false]);
  while (stack.length) {
    const [n, done] = stack.pop() as [Node, boolean];
    if (done) {
      out.push(n);
      continue;
    }
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push([n, true]);
    if (!stop(n)) for (let i = n.inputs.length - 1; i >= 0; i--) stack.push([n.inputs[i] as Node, false]);
  }
  return out;
}
