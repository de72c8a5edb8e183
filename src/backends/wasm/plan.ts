// Analysis of a kernel before rendering: its body as a DAG of unique nodes (so shared values are
// computed once), each load's index split into an affine part (kept in a pointer that loops bump)
// and a residue computed per element, the loop nest (with contiguous axes merged), the loop level
// each value first varies at (so invariants are hoisted), and whether and where to use SIMD.
import type { Expr } from "../../core/alu.js";
import { BYTES, type DType } from "../../core/dtype.js";
import type { Kernel } from "../../kernel/ir.js";

/** A unique node of the body. */
export interface Node {
  readonly id: number;
  readonly e: Expr;
  /** Nodes it evaluates: ALU operands; for a load, its residue terms and its valid mask. */
  readonly kids: readonly Node[];
  readonly deps: ReadonlySet<number>;
  readonly dtype: DType;
  readonly load?: LoadInfo;
  /** The innermost loop level this value varies with (-1: constant for the whole kernel). */
  level: number;
  /** Varies across SIMD lanes (depends on the vectorized level). */
  lane: boolean;
  readonly parents: Node[];
}

export interface LoadInfo {
  readonly group: Group;
  /** Element offset (the constant term of the index). */
  readonly c0: number;
  /** Byte offset from the group pointer (memarg offset, never negative). */
  offset: number;
  /** Index terms that are not affine in the loop variables (gathered indices, div/mod), times a multiplier. */
  readonly rest: readonly { readonly n: Node; readonly mul: number }[];
  readonly valid?: Node;
}

/** A pointer local shared by loads with the same buffer, affine coefficients and residue. */
export interface Group {
  readonly id: number;
  /** Input buffer index, or -1 for the output. */
  readonly buf: number;
  readonly bytes: number;
  /** Element coefficient of each loop variable. */
  readonly coef: ReadonlyMap<number, number>;
  /** Base element offset (the smallest among members). */
  c0: number;
}

export interface Level {
  /** Loop variables, outer to inner (more than one when contiguous axes were merged). */
  readonly vars: readonly number[];
  readonly size: number;
  readonly reduce: boolean;
}

export type VecMode = "none" | "elementwise" | "reduce-inner" | "reduce-outer";

export interface Plan {
  readonly nodes: readonly Node[];
  readonly root: Node;
  readonly groups: readonly Group[];
  readonly out: Group;
  readonly levels: readonly Level[];
  /** Number of output levels (they come first). */
  readonly outLevels: number;
  /** Variables used as values (not only inside affine indices): they need a counter of their own. */
  readonly explicit: ReadonlySet<number>;
  readonly vec: VecMode;
  /** The vectorized level, or -1. */
  readonly vecLevel: number;
}

interface Lin {
  coef: Map<number, number>;
  c0: number;
  rest: { e: Expr; mul: number }[];
}

const add32 = (a: number, b: number): number => (a + b) | 0;

/** Splits an int32 index into Σ coef·var + c0 + residue (all modulo 2^32, like the int32 index itself). */
function linearize(e: Expr, zero: (v: number) => boolean): Lin {
  if (e.k === "const") return { coef: new Map(), c0: e.v | 0, rest: [] };
  if (e.k === "var") return { coef: zero(e.i) ? new Map() : new Map([[e.i, 1]]), c0: 0, rest: [] };
  if (e.k === "alu" && e.dtype === "int32") {
    const [a, b] = e.args;
    if ((e.op === "add" || e.op === "sub") && a && b) {
      const x = linearize(a, zero);
      const y = scale(linearize(b, zero), e.op === "sub" ? -1 : 1);
      for (const [v, c] of y.coef) x.coef.set(v, add32(x.coef.get(v) ?? 0, c));
      return { coef: x.coef, c0: add32(x.c0, y.c0), rest: [...x.rest, ...y.rest] };
    }
    if (e.op === "mul" && a && b && (a.k === "const" || b.k === "const")) {
      const [k, x] = a.k === "const" ? [a.v, b] : [(b as { v: number }).v, a];
      return scale(linearize(x, zero), k);
    }
    if (e.op === "neg" && a) return scale(linearize(a, zero), -1);
  }
  return { coef: new Map(), c0: 0, rest: [{ e, mul: 1 }] };
}

function scale(l: Lin, k: number): Lin {
  const coef = new Map<number, number>();
  for (const [v, c] of l.coef) if (Math.imul(c, k)) coef.set(v, Math.imul(c, k));
  return { coef, c0: Math.imul(l.c0, k), rest: l.rest.map((r) => ({ e: r.e, mul: Math.imul(r.mul, k) })) };
}

const coefKey = (m: ReadonlyMap<number, number>): string =>
  [...m.entries()]
    .filter(([, c]) => c !== 0)
    .sort((a, b) => a[0] - b[0])
    .map(([v, c]) => `${v}*${c}`)
    .join(",");

/** Interns the body into unique nodes (children first) and groups its loads by pointer. */
function intern(k: Kernel, zero: (v: number) => boolean) {
  const nodes: Node[] = [];
  const byKey = new Map<string, Node>();
  const memo = new Map<Expr, Node>();
  const groups: Group[] = [];
  const groupByKey = new Map<string, Group>();

  const make = (key: string, e: Expr, kids: Node[], dtype: DType, extraDeps: number[], load?: LoadInfo): Node => {
    const have = byKey.get(key);
    if (have) return have;
    const deps = new Set<number>(extraDeps);
    for (const c of kids) for (const d of c.deps) deps.add(d);
    const n: Node = {
      id: nodes.length,
      e,
      kids,
      deps,
      dtype,
      level: -1,
      lane: false,
      parents: [],
      ...(load ? { load } : {}),
    };
    nodes.push(n);
    byKey.set(key, n);
    return n;
  };

  const visit = (e: Expr): Node => {
    const m = memo.get(e);
    if (m) return m;
    let n: Node;
    if (e.k === "const") n = make(`c${e.v}:${e.dtype}`, e, [], e.dtype, []);
    else if (e.k === "var")
      n = zero(e.i)
        ? make("c0:int32", { k: "const", v: 0, dtype: "int32" }, [], "int32", [])
        : make(`v${e.i}`, e, [], "int32", [e.i]);
    else if (e.k === "alu") {
      const kids = e.args.map(visit);
      n = make(`${e.op}:${e.dtype}(${kids.map((c) => c.id).join(",")})`, e, kids, e.dtype, []);
    } else {
      const lin = linearize(e.idx, zero);
      const rest = lin.rest.map((r) => ({ n: visit(r.e), mul: r.mul }));
      const valid = e.valid ? visit(e.valid) : undefined;
      const restKey = rest.map((r) => `${r.n.id}*${r.mul}`).join("+");
      const bytes = BYTES[e.dtype];
      // guarded loads get a pointer each: sharing one could put an unguarded load's address below 0
      const gkey = `${e.buf}|${coefKey(lin.coef)}|${restKey}${valid ? `|g${lin.c0}:${valid.id}` : ""}`;
      let g = groupByKey.get(gkey);
      if (!g) {
        g = { id: groups.length, buf: e.buf, bytes, coef: lin.coef, c0: lin.c0 };
        groups.push(g);
        groupByKey.set(gkey, g);
      }
      const info: LoadInfo = { group: g, c0: lin.c0, offset: 0, rest, ...(valid ? { valid } : {}) };
      const kids = [...rest.map((r) => r.n), ...(valid ? [valid] : [])];
      const key = `L${gkey}@${lin.c0}:${e.dtype}`;
      n = make(key, e, kids, e.dtype, [...lin.coef.keys()], info);
    }
    memo.set(e, n);
    return n;
  };
  const root = visit(k.body);
  // offsets from each group's smallest base
  for (const n of nodes) if (n.load) n.load.group.c0 = Math.min(n.load.group.c0, n.load.c0);
  for (const n of nodes) if (n.load) n.load.offset = (n.load.c0 - n.load.group.c0) * n.load.group.bytes;
  for (const n of nodes) for (const c of n.kids) if (!c.parents.includes(n)) c.parents.push(n);
  return { nodes, root, groups };
}

/** Plans the rendering of `k`. */
export function planKernel(k: Kernel, simd: boolean): Plan {
  const rank = k.outShape.length;
  const red = k.reduce;
  const sizeOfVar = (v: number): number => {
    if (v < rank) return k.outShape[v] ?? 1;
    const j = red ? red.axes.indexOf(v - rank) : -1;
    return j >= 0 ? (red?.sizes[j] ?? 1) : 1;
  };
  const { nodes, root, groups } = intern(k, (v) => sizeOfVar(v) <= 1);
  const explicit = new Set<number>();
  for (const n of nodes) if (n.e.k === "var") explicit.add(n.e.i);

  // the output as a pointer group with row-major strides
  const outCoef = new Map<number, number>();
  let stride = 1;
  for (let i = rank - 1; i >= 0; i--) {
    if ((k.outShape[i] ?? 1) > 1) outCoef.set(i, stride);
    stride *= k.outShape[i] ?? 1;
  }
  const out: Group = { id: groups.length, buf: -1, bytes: BYTES[k.outDtype], coef: outCoef, c0: 0 };
  const all = [...groups, out];

  let levels: Level[] = [];
  for (let i = 0; i < rank; i++) if (sizeOfVar(i) > 1) levels.push({ vars: [i], size: sizeOfVar(i), reduce: false });
  for (const a of red?.axes ?? [])
    if (sizeOfVar(rank + a) > 1) levels.push({ vars: [rank + a], size: sizeOfVar(rank + a), reduce: true });
  levels = mergeLevels(levels, all, explicit);
  const outLevels = levels.filter((l) => !l.reduce).length;

  const levelOf = new Map<number, number>();
  levels.forEach((l, i) => l.vars.forEach((v) => levelOf.set(v, i)));
  for (const n of nodes) n.level = Math.max(-1, ...[...n.deps].map((v) => levelOf.get(v) ?? -1));

  const { vec, vecLevel } = simd ? chooseVec(k, levels, outLevels, nodes, out) : { vec: "none" as const, vecLevel: -1 };
  if (vecLevel >= 0) {
    const vv = new Set(levels[vecLevel]?.vars ?? []);
    for (const n of nodes) n.lane = [...n.deps].some((d) => vv.has(d));
  }
  return { nodes, root, groups, out, levels, outLevels, explicit, vec, vecLevel };
}

export const coefOf = (g: Group, l: Level): number => g.coef.get(l.vars[l.vars.length - 1] ?? -1) ?? 0;

/** Merges adjacent levels whose variables only address memory and whose strides chain. */
function mergeLevels(levels: Level[], groups: readonly Group[], explicit: ReadonlySet<number>): Level[] {
  const out: Level[] = [];
  for (const l of levels) {
    const prev = out[out.length - 1];
    const free = (x: Level): boolean => x.vars.every((v) => !explicit.has(v));
    if (
      prev &&
      prev.reduce === l.reduce &&
      free(prev) &&
      free(l) &&
      groups.every((g) => coefOf(g, prev) === Math.imul(coefOf(g, l), l.size))
    ) {
      out[out.length - 1] = { vars: [...prev.vars, ...l.vars], size: prev.size * l.size, reduce: l.reduce };
    } else out.push(l);
  }
  return out;
}

const LANE_DTYPES = new Set<DType>(["float32", "int32", "bool"]);

/** Whether every value varying along `level` can be computed four lanes at a time. */
function vectorizable(level: Level, nodes: readonly Node[]): boolean {
  const vv = new Set(level.vars);
  if (level.size < 4) return false;
  for (const n of nodes) {
    if (![...n.deps].some((d) => vv.has(d))) continue;
    // a lane-varying value has a lane-varying operand (checked as its own node) or is a load/variable
    if (!LANE_DTYPES.has(n.dtype)) return false;
    const l = n.load;
    if (l) {
      if (coefOf(l.group, level) !== 1) return false;
      if (l.rest.some((r) => [...r.n.deps].some((d) => vv.has(d)))) return false;
      if (l.valid && [...l.valid.deps].some((d) => vv.has(d))) return false;
    }
  }
  return true;
}

function chooseVec(
  k: Kernel,
  levels: readonly Level[],
  outLevels: number,
  nodes: readonly Node[],
  out: Group,
): { vec: VecMode; vecLevel: number } {
  const last = levels.length - 1;
  const none = { vec: "none" as const, vecLevel: -1 };
  const lastLevel = levels[last];
  if (!lastLevel || !LANE_DTYPES.has(k.outDtype)) return none;
  if (!k.reduce) {
    return coefOf(out, lastLevel) === 1 && vectorizable(lastLevel, nodes)
      ? { vec: "elementwise", vecLevel: last }
      : none;
  }
  const op = k.reduce.op;
  if (op === "argmax" || k.outDtype === "bool") return none;
  if (lastLevel.reduce && vectorizable(lastLevel, nodes)) return { vec: "reduce-inner", vecLevel: last };
  const lastOut = levels[outLevels - 1];
  if (lastOut && coefOf(out, lastOut) === 1 && vectorizable(lastOut, nodes))
    return { vec: "reduce-outer", vecLevel: outLevels - 1 };
  return none;
}
