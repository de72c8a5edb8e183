// Linear algebra: matmul with NumPy semantics (1-D operands, batch broadcasting), dot, outer, einsum.
import { promote } from "../core/dtype.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { broadcastShapes, shapesEqual, sizeOf } from "../core/shape.js";
import { build } from "../graph/node.js";
import { asTensor, broadcastNode, castNode, type TensorLike } from "./convert.js";
import { mul } from "./math.js";
import { sum } from "./reduce.js";
import { expand, moveaxis, permute, reshape } from "./shape.js";
import { Tensor } from "./tensor.js";

/** a @ b: 1-D operands are promoted to matrices (and the added axis removed); batch dims broadcast. */
export function matmul(a: TensorLike, b: TensorLike): Tensor {
  const x = asTensor(a);
  const y = asTensor(b);
  if (x.ndim === 0 || y.ndim === 0)
    throw new ShapeError("matmul", `operands must be at least 1-D, got ${fmtShape(x.shape)} @ ${fmtShape(y.shape)}`);
  if (x.dtype === "bool" || y.dtype === "bool")
    throw new DTypeError("matmul", `expected numeric dtypes, got ${x.dtype} and ${y.dtype}`);
  const xs = x.ndim === 1 ? [1, ...x.shape] : x.shape;
  const ys = y.ndim === 1 ? [...y.shape, 1] : y.shape;
  const k1 = xs[xs.length - 1];
  const k2 = ys[ys.length - 2];
  if (k1 !== k2) throw new ShapeError("matmul", `inner dimensions differ: ${fmtShape(x.shape)} @ ${fmtShape(y.shape)}`);
  const batch = broadcastShapes("matmul", xs.slice(0, -2), ys.slice(0, -2));
  const dt = promote(x.dtype, y.dtype);
  const lift = (t: Tensor, s: readonly number[]) =>
    t.ndim === s.length ? t.node : build("reshape", [t.node], { shape: [...s] });
  const xn = broadcastNode(castNode(lift(x, xs), dt), [...batch, ...xs.slice(-2)]);
  const yn = broadcastNode(castNode(lift(y, ys), dt), [...batch, ...ys.slice(-2)]);
  const out = build("matmul", [xn, yn]);
  const shape = [
    ...batch,
    ...(x.ndim === 1 ? [] : [xs[xs.length - 2] as number]),
    ...(y.ndim === 1 ? [] : [ys[ys.length - 1] as number]),
  ];
  return new Tensor(shape.length === out.shape.length ? out : build("reshape", [out], { shape }));
}

/**
 * NumPy `dot`: 1-D·1-D is the inner product (a scalar), 0-d operands multiply, 2-D operands (and
 * N-D·1-D, N-D·2-D) are matmul, and N-D·M-D (M >= 3) contracts the last axis of `a` with the
 * second-to-last of `b`: shape a[:-1] + b[:-2] + b[-1:].
 */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const x = asTensor(a);
  const y = asTensor(b);
  if (x.ndim === 0 || y.ndim === 0) return mul(x, y);
  if (y.ndim <= 2) return matmul(x, y);
  const k = x.shape[x.ndim - 1] as number;
  if (y.shape[y.ndim - 2] !== k)
    throw new ShapeError(
      "dot",
      `last axis of ${fmtShape(x.shape)} (${k}) differs from the second-to-last of ${fmtShape(y.shape)}`,
    );
  const yk = moveaxis(y, -2, 0);
  const rest = yk.shape.slice(1);
  const out = matmul(reshape(x, [sizeOf(x.shape.slice(0, -1)), k]), reshape(yk, [k, sizeOf(rest)]));
  return reshape(out, [...x.shape.slice(0, -1), ...rest]);
}

/** Outer product: out[i, j] = a[i]·b[j] (operands of other ranks are flattened, as in NumPy). */
export function outer(a: TensorLike, b: TensorLike): Tensor {
  const x = asTensor(a);
  const y = asTensor(b);
  return mul(reshape(x, [x.size, 1]), reshape(y, [1, y.size]));
}

// ---- einsum ----

/** An operand with one label per axis ("a".."z", "A".."Z"; ellipsis axes are ".0", ".1", …). */
interface Labeled {
  t: Tensor;
  labels: string[];
}

/** The labels of one term, with "..." kept as a marker. */
function tokenize(spec: string, term: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < term.length;) {
    if (term.startsWith("...", i)) {
      if (out.includes("...")) throw new ValueError("einsum", `more than one "..." in term "${term}" of "${spec}"`);
      out.push("...");
      i += 3;
    } else if (/[A-Za-z]/.test(term[i] as string)) {
      out.push(term[i] as string);
      i++;
    } else {
      throw new ValueError(
        "einsum",
        `invalid character "${term[i]}" in subscripts "${spec}" (expected letters, "..." or "->")`,
      );
    }
  }
  return out;
}

const show = (l: string): string => (l.startsWith(".") ? `... axis ${l.slice(1)}` : `"${l}"`);

/** Takes the diagonal over each label repeated within one operand ("ii" → "i"). */
function diagonals(op: Labeled, index: number): Labeled {
  let { t, labels } = op;
  for (;;) {
    const l = labels.find((v, i) => labels.indexOf(v) !== i);
    if (l === undefined) return { t, labels };
    const at = labels.flatMap((v, i) => (v === l ? [i] : []));
    const n = t.shape[at[0] as number] as number;
    if (at.some((i) => t.shape[i] !== n))
      throw new ShapeError(
        "einsum",
        `label ${show(l)} repeats in operand ${index} ${fmtShape(t.shape)} with different sizes`,
      );
    const others = labels.flatMap((v, i) => (v === l ? [] : [i]));
    const moved = permute(t, [...others, ...at]);
    const lead = others.map((i) => t.shape[i] as number);
    const flat = reshape(moved, [...lead, n ** at.length]);
    // the diagonal of an r-cube of side n is every (1 + n + … + n^(r−1))-th element
    const step = at.reduce((acc, _, j) => acc + n ** j, 0);
    const node = build("slice", [flat.node], {
      starts: flat.shape.map(() => 0),
      steps: [...lead.map(() => 1), step],
      shape: [...lead, n],
    });
    t = new Tensor(node);
    labels = [...others.map((i) => labels[i] as string), l];
  }
}

/** Sums out the labels of `op` not in `keep`. */
function sumOut(op: Labeled, keep: ReadonlySet<string>): Labeled {
  const axes = op.labels.flatMap((l, i) => (keep.has(l) ? [] : [i]));
  if (!axes.length) return op;
  return { t: sum(op.t, axes), labels: op.labels.filter((l) => keep.has(l)) };
}

/** `op` permuted to `order` and broadcast to `sizes` (labels of size 1 against a larger size). */
function align(op: Labeled, order: readonly string[], sizes: ReadonlyMap<string, number>): Tensor {
  const t = permute(
    op.t,
    order.map((l) => op.labels.indexOf(l)),
  );
  const target = order.map((l) => sizes.get(l) as number);
  return shapesEqual(t.shape, target) ? t : expand(t, target);
}

/**
 * Contracts two operands, keeping the labels in `keep`: shared kept labels are batch axes, shared
 * others are summed by one matmul [batch, M, K] @ [batch, K, N] (a plain product when none is).
 */
function contract(a: Labeled, b: Labeled, keep: ReadonlySet<string>, sizes: ReadonlyMap<string, number>): Labeled {
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const con = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const aOnly = a.labels.filter((l) => !inB.has(l));
  const bOnly = b.labels.filter((l) => !inA.has(l));
  const labels = [...batch, ...aOnly, ...bOnly];
  const size = (ls: readonly string[]): number => ls.reduce((n, l) => n * (sizes.get(l) as number), 1);
  if (!con.length) {
    const ones = (ls: readonly string[]): number[] => ls.map(() => 1);
    const x = reshape(align(a, [...batch, ...aOnly], sizes), [
      ...batch.map((l) => sizes.get(l) as number),
      ...aOnly.map((l) => sizes.get(l) as number),
      ...ones(bOnly),
    ]);
    const y = reshape(align(b, [...batch, ...bOnly], sizes), [
      ...batch.map((l) => sizes.get(l) as number),
      ...ones(aOnly),
      ...bOnly.map((l) => sizes.get(l) as number),
    ]);
    return { t: mul(x, y), labels };
  }
  const x = reshape(align(a, [...batch, ...aOnly, ...con], sizes), [size(batch), size(aOnly), size(con)]);
  const y = reshape(align(b, [...batch, ...con, ...bOnly], sizes), [size(batch), size(con), size(bOnly)]);
  return {
    t: reshape(
      matmul(x, y),
      labels.map((l) => sizes.get(l) as number),
    ),
    labels,
  };
}

/**
 * Einstein summation, e.g. einsum("bij,bjk->bik", a, b). Labels are letters; a label repeated in
 * one operand takes the diagonal ("ii->i", "ii->" is the trace); labels missing from the output are
 * summed. Without "->" the output is the "..." axes followed by the labels used exactly once, in
 * alphabetical (ASCII) order. "..." stands for the leading unnamed axes, broadcast NumPy-style
 * across operands (size-1 axes of a named label broadcast too). Operands contract left to right;
 * each pairwise contraction is a permute + reshape + matmul, after labels needed by no later
 * operand nor the output were summed out of each side.
 */
export function einsum(subscripts: string, ...xs: TensorLike[]): Tensor {
  const spec = subscripts.replace(/\s+/g, "");
  const parts = spec.split("->");
  if (parts.length > 2) throw new ValueError("einsum", `more than one "->" in "${subscripts}"`);
  const terms = (parts[0] as string).split(",");
  if (terms.length !== xs.length)
    throw new ValueError("einsum", `subscripts "${subscripts}" name ${terms.length} operand(s), got ${xs.length}`);
  const ts = xs.map((x) => asTensor(x));
  const bad = ts.find((t) => t.dtype === "bool");
  if (bad) throw new DTypeError("einsum", `expected numeric operands, got a bool operand ${fmtShape(bad.shape)}`);
  const toks = terms.map((term) => tokenize(subscripts, term));
  const ell = toks.map((tk, i) => {
    const named = tk.filter((l) => l !== "...").length;
    const t = ts[i] as Tensor;
    const e = t.ndim - named;
    if (e < 0 || (e > 0 && !tk.includes("...")))
      throw new ShapeError(
        "einsum",
        `operand ${i} has subscripts "${terms[i]}" for ${named} axes but shape ${fmtShape(t.shape)}`,
      );
    return e;
  });
  const E = Math.max(0, ...ell);
  const ellLabels = (e: number): string[] => Array.from({ length: e }, (_, j) => `.${E - e + j}`);
  let ops: Labeled[] = toks.map((tk, i) => ({
    t: ts[i] as Tensor,
    labels: tk.flatMap((l) => (l === "..." ? ellLabels(ell[i] as number) : [l])),
  }));
  // sizes: equal, or 1 (broadcast)
  const sizes = new Map<string, number>();
  const where = new Map<string, number>();
  ops.forEach((op, i) =>
    op.labels.forEach((l, ax) => {
      const d = op.t.shape[ax] as number;
      const prev = sizes.get(l);
      if (prev === undefined || prev === 1) {
        sizes.set(l, d);
        where.set(l, i);
      } else if (d !== 1 && d !== prev) {
        const j = where.get(l) as number;
        if (j === i)
          throw new ShapeError(
            "einsum",
            `label ${show(l)} repeats in operand ${i} ${fmtShape(op.t.shape)} with different sizes`,
          );
        throw new ShapeError(
          "einsum",
          `label ${show(l)} has size ${prev} in operand ${j} ${fmtShape((ts[j] as Tensor).shape)} but ${d} in operand ${i} ${fmtShape(op.t.shape)}`,
        );
      }
    }),
  );
  let out: string[];
  if (parts.length === 2) {
    out = tokenize(subscripts, parts[1] as string).flatMap((l) => (l === "..." ? ellLabels(E) : [l]));
    const dup = out.find((l, i) => out.indexOf(l) !== i);
    if (dup) throw new ValueError("einsum", `output label ${show(dup)} repeats in "${subscripts}"`);
    const missing = out.find((l) => !sizes.has(l));
    if (missing) throw new ValueError("einsum", `output label ${show(missing)} is in no operand of "${subscripts}"`);
  } else {
    const count = new Map<string, number>();
    for (const op of ops) for (const l of op.labels) count.set(l, (count.get(l) ?? 0) + 1);
    const once = [...count].flatMap(([l, n]) => (n === 1 && !l.startsWith(".") ? [l] : [])).sort();
    out = [...ellLabels(E), ...once];
  }
  ops = ops.map(diagonals);
  const dt = ops.reduce((d, op) => promote(d, op.t.dtype), (ts[0] as Tensor).dtype);
  ops = ops.map((op) => ({ t: op.t.astype(dt), labels: op.labels }));
  const needed = (from: number, extra: readonly string[] = []): Set<string> =>
    new Set([...out, ...extra, ...ops.slice(from).flatMap((op) => op.labels)]);
  let acc = sumOut(ops[0] as Labeled, needed(1));
  for (let i = 1; i < ops.length; i++) {
    const b = sumOut(ops[i] as Labeled, needed(i + 1, acc.labels));
    acc = contract(sumOut(acc, needed(i)), b, needed(i + 1), sizes);
  }
  acc = sumOut(acc, new Set(out));
  const t = permute(
    acc.t,
    out.map((l) => acc.labels.indexOf(l)),
  );
  const target = out.map((l) => sizes.get(l) as number);
  return shapesEqual(t.shape, target) ? t : expand(t, target);
}
