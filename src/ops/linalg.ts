// Matrix multiply: a routine that backends may supply (GEMM), with a portable decomposition as a
// broadcast multiply and a sum, which the scheduler fuses into one reduction kernel.
import { DTypeError, ShapeError, fmtShape } from "../core/errors.js";
import type { Shape } from "../core/shape.js";
import { defineOp } from "./def.js";
import { Ops } from "./helpers.js";

function matmulShape(a: Shape, b: Shape): number[] {
  const r = a.length;
  if (r < 2 || b.length !== r)
    throw new ShapeError("matmul", `expected operands of equal rank >= 2, got ${fmtShape(a)} @ ${fmtShape(b)}`);
  if (a[r - 1] !== b[r - 2]) throw new ShapeError("matmul", `inner dimensions differ: ${fmtShape(a)} @ ${fmtShape(b)}`);
  if (a.slice(0, r - 2).some((d, i) => d !== b[i]))
    throw new ShapeError("matmul", `batch dimensions differ: ${fmtShape(a)} @ ${fmtShape(b)}`);
  return [...a.slice(0, r - 1), b[r - 1] ?? 0];
}

const swapLast = (r: number): number[] => [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];

export const linalgOps = {
  /** Batched a[..., m, k] @ b[..., k, n] with equal batch dims. */
  matmul: defineOp({
    arity: 2,
    shape: ([a, b]) => matmulShape(a ?? [], b ?? []),
    dtype: ([a, b]) => {
      if (a !== b || a === "bool") throw new DTypeError("matmul", `expected equal numeric dtypes, got ${a} and ${b}`);
      return a ?? "float32";
    },
    // d(AB) = dA·B + A·dB, so Ā = Ḡ·Bᵀ and B̄ = Aᵀ·Ḡ
    vjp: (c) => {
      const k = new Ops(c.b);
      const [a, b] = [c.x[0] as typeof c.g, c.x[1] as typeof c.g];
      const r = k.shape(a).length;
      return [
        c.b.call("matmul", [c.g, k.permute(b, swapLast(r))]),
        c.b.call("matmul", [k.permute(a, swapLast(r)), c.g]),
      ];
    },
    lower: {
      kind: "routine",
      routine: "matmul",
      decompose: (b, [x, y]) => {
        const k = new Ops(b);
        const [xa, ya] = [x as NonNullable<typeof x>, y as NonNullable<typeof y>];
        const as = k.shape(xa);
        const bs = k.shape(ya);
        const r = as.length;
        const batch = as.slice(0, r - 2);
        const [m, kk, n] = [as[r - 2] ?? 0, as[r - 1] ?? 0, bs[r - 1] ?? 0];
        const full = [...batch, m, kk, n];
        const prod = k.mul(
          k.expand(k.reshape(xa, [...batch, m, kk, 1]), full),
          k.expand(k.reshape(ya, [...batch, 1, kk, n]), full),
        );
        return k.reshape(k.sum(prod, [r - 1]), [...batch, m, n]);
      },
    },
  }),
};
