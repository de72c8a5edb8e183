// Pure optimizer updates: (params, grads, state) → (params, state) as tensor math on pytrees, so a
// whole training step (forward, backward and update) can be compiled with nb.jit and its
// parameters and moments donated (updated in place). Same rules as the stateful optimizers.
import { ValueError } from "../core/errors.js";
import { zerosLike } from "../tensor/create.js";
import { mapTree, leaves } from "../tensor/pytree.js";
import { pow, sub } from "../tensor/math.js";
import { tensor } from "../tensor/convert.js";
import type { Tensor } from "../tensor/tensor.js";

export interface AdamState<P> {
  m: P;
  v: P;
  /** The step count as a 0-d tensor (so a compiled step does not depend on it). */
  t: Tensor;
}

export interface FunctionalAdamOptions {
  lr: number;
  betas?: readonly [number, number];
  eps?: number;
  /** Decoupled weight decay (AdamW). */
  weightDecay?: number;
}

/** Adam (AdamW with weightDecay) as pure functions over a pytree of parameters. */
export function adam<P>(opts: FunctionalAdamOptions): {
  init(params: P): AdamState<P>;
  update(params: P, grads: P, state: AdamState<P>, lr?: number | Tensor): [P, AdamState<P>];
} {
  const [b1, b2] = opts.betas ?? [0.9, 0.999];
  const eps = opts.eps ?? 1e-8;
  const wd = opts.weightDecay ?? 0;
  if (!(opts.lr > 0)) throw new ValueError("adam", `lr must be positive, got ${opts.lr}`);
  return {
    init: (params) => ({
      m: mapTree(params, (p) => zerosLike(p)) as P,
      v: mapTree(params, (p) => zerosLike(p)) as P,
      t: tensor(0, { dtype: "float64" }),
    }),
    update(params, grads, state, lr = opts.lr) {
      const gs = leaves(grads);
      const ms = leaves(state.m);
      const vs = leaves(state.v);
      const t = state.t.add(1);
      // bias corrections 1 − βᵗ, computed on the device from the step count
      const c1 = sub(1, pow(b1, t));
      const c2 = sub(1, pow(b2, t));
      const newM: Tensor[] = [];
      const newV: Tensor[] = [];
      const next = mapTree(params, (p, i) => {
        const g = gs[i] as Tensor;
        const m = (ms[i] as Tensor).mul(b1).add(g.mul(1 - b1));
        const v = (vs[i] as Tensor).mul(b2).add(g.square().mul(1 - b2));
        newM.push(m);
        newV.push(v);
        const decayed = !wd
          ? p
          : typeof lr === "number"
            ? p.mul(1 - lr * wd)
            : p.mul(sub(1, lr.mul(wd)).astype(p.dtype));
        const [k1, k2] = [c1.astype(p.dtype), c2.astype(p.dtype)];
        return decayed.sub(m.div(k1).mul(lr).div(v.div(k2).sqrt().add(eps)));
      }) as P;
      return [next, { m: mapTree(state.m, (_, i) => newM[i]) as P, v: mapTree(state.v, (_, i) => newV[i]) as P, t }];
    },
  };
}
