// explain(): what the compiler did to a graph, as text, JSON and Graphviz DOT. The graph before
// and after the passes, each rewrite with its count, the fusion groups, every kernel with its
// source, the memory plan, and FLOP and byte estimates.
import { BYTES } from "../core/dtype.js";
import { toposort, type Node } from "../graph/node.js";
import { kernelFlops, printKernel } from "../kernel/print.js";
import type { Executable } from "./executable.js";

export interface GraphNodeInfo {
  id: number;
  op: string;
  shape: number[];
  dtype: string;
  inputs: number[];
  params: Record<string, unknown>;
  realized: boolean;
}

export interface KernelInfo {
  name: string;
  kind: "kernel" | "routine" | "host";
  source: string;
  /** Graph nodes (ids and ops) computed inside this kernel: the fusion group. */
  fused: { id: number; op: string }[];
  outShape: number[];
  flops: number;
  bytes: number;
}

export interface ReportJSON {
  level: number;
  backend: string;
  graph: { before: { nodes: GraphNodeInfo[] }; after: { nodes: GraphNodeInfo[] } };
  rewrites: { rule: string; count: number }[];
  kernels: KernelInfo[];
  memory: {
    peakBytes: number;
    naiveBytes: number;
    buffers: { id: number; bytes: number }[];
    lifetimes: { node: number; op: string; firstStep: number; lastStep: number | null; buffer: number }[];
    inPlace: { step: number; node: number }[];
  };
  flops: number;
  bytes: number;
}

function graphInfo(roots: readonly Node[]): GraphNodeInfo[] {
  return toposort(roots, (n) => n.realized !== undefined).map((n) => ({
    id: n.id,
    op: n.realized && n.op !== "const" ? `buffer(${n.op})` : n.op,
    shape: [...n.shape],
    dtype: n.dtype,
    inputs: n.realized ? [] : n.inputs.map((i) => i.id),
    params: n.op === "const" ? {} : { ...n.params },
    realized: n.realized !== undefined,
  }));
}

export class Report {
  constructor(private readonly data: ReportJSON) {}

  static from(exe: Executable): Report {
    const kernels: KernelInfo[] = exe.steps.map((s) => {
      const outBytes = s.node.size * BYTES[s.node.dtype];
      if (s.kind === "kernel") {
        const inBytes = s.args.reduce((a, n) => a + n.size * BYTES[n.dtype], 0);
        return {
          name: s.kernel.name,
          kind: "kernel",
          source: exe.backend.render?.(s.kernel) ?? printKernel(s.kernel),
          fused: s.fused.map((n) => ({ id: n.id, op: n.op })),
          outShape: [...s.node.shape],
          flops: kernelFlops(s.kernel),
          bytes: inBytes + outBytes,
        };
      }
      if (s.kind === "routine") {
        const [a, b] = s.args;
        const k = a?.shape[a.shape.length - 1] ?? 0;
        return {
          name: s.routine,
          kind: "routine",
          source: `routine ${s.routine}(${s.args.map((n) => `[${n.shape.join(",")}]`).join(", ")}) on ${exe.backend.name}`,
          fused: [{ id: s.node.id, op: s.node.op }],
          outShape: [...s.node.shape],
          flops: 2 * k * s.node.size,
          bytes: (a ? a.size * BYTES[a.dtype] : 0) + (b ? b.size * BYTES[b.dtype] : 0) + outBytes,
        };
      }
      return {
        name: `upload_${s.node.op}`,
        kind: "host",
        source: `host data for ${s.node.op}`,
        fused: [{ id: s.node.id, op: s.node.op }],
        outShape: [...s.node.shape],
        flops: 0,
        bytes: outBytes,
      };
    });
    const m = exe.memory;
    const naive = exe.steps.reduce((a, s) => a + s.node.size * BYTES[s.node.dtype], 0);
    return new Report({
      level: exe.level,
      backend: exe.backend.name,
      graph: { before: { nodes: graphInfo(exe.requested) }, after: { nodes: graphInfo(exe.optimized.roots) } },
      rewrites: exe.optimized.rewrites,
      kernels,
      memory: {
        // without a plan (O0/O1) every value has its own buffer
        peakBytes: m ? m.peakBytes : naive,
        naiveBytes: naive,
        buffers: m ? m.slots.map((s) => ({ id: s.id, bytes: s.bytes })) : [],
        lifetimes: m
          ? m.intervals.map((iv) => ({
              node: iv.node.id,
              op: iv.node.op,
              firstStep: iv.def,
              lastStep: Number.isFinite(iv.end) ? iv.end : null,
              buffer: iv.slot,
            }))
          : [],
        inPlace: m ? m.inPlace.map((p) => ({ step: p.step, node: p.arg.id })) : [],
      },
      flops: kernels.reduce((a, k) => a + k.flops, 0),
      bytes: kernels.reduce((a, k) => a + k.bytes, 0),
    });
  }

  toJSON(): ReportJSON {
    return this.data;
  }

  toString(): string {
    const d = this.data;
    const fmtNode = (n: GraphNodeInfo): string =>
      `  %${n.id} = ${n.op}(${n.inputs.map((i) => `%${i}`).join(", ")}) : ${n.dtype}[${n.shape.join(",")}]`;
    const out: string[] = [`nabla explain — O${d.level} on ${d.backend}`, ""];
    out.push(`graph before passes (${d.graph.before.nodes.length} nodes):`, ...d.graph.before.nodes.map(fmtNode), "");
    out.push("rewrites:", ...(d.rewrites.length ? d.rewrites.map((r) => `  ${r.rule} ×${r.count}`) : ["  (none)"]), "");
    out.push(`graph after passes (${d.graph.after.nodes.length} nodes):`, ...d.graph.after.nodes.map(fmtNode), "");
    out.push(`kernels (${d.kernels.length}):`);
    d.kernels.forEach((k, i) => {
      out.push(
        `  [${i}] ${k.name} — fuses ${k.fused.map((f) => `%${f.id} ${f.op}`).join(", ")}; ${k.flops} FLOP, ${k.bytes} bytes`,
      );
      out.push(...k.source.split("\n").map((l) => `      ${l}`));
    });
    out.push(
      "",
      `memory plan: peak ${d.memory.peakBytes} bytes in ${d.memory.buffers.length} buffers (without reuse: ${d.memory.naiveBytes} bytes)`,
    );
    for (const l of d.memory.lifetimes)
      out.push(`  buffer ${l.buffer}: %${l.node} ${l.op} live steps ${l.firstStep}…${l.lastStep ?? "end (output)"}`);
    for (const p of d.memory.inPlace) out.push(`  step ${p.step} writes in place over %${p.node}`);
    out.push("", `total: ${d.flops} FLOP, ${d.bytes} bytes moved`);
    return out.join("\n");
  }

  /**
   * The graph rendered as SVG by Graphviz where a renderer is available (Node with `dot` on the
   * PATH); null elsewhere.
   */
  async toSVG(which: "after" | "before" = "after"): Promise<string | null> {
    if (typeof process === "undefined" || !process.versions?.node) return null;
    const { dotToSvg } = await import("./dot-svg.node.js");
    return dotToSvg(this.toDot(which));
  }

  /** The optimized graph (or the one before the passes) as Graphviz DOT, kernels as clusters. */
  toDot(which: "after" | "before" = "after"): string {
    const d = this.data;
    const nodes = d.graph[which].nodes;
    const group = new Map<number, number>();
    if (which === "after") d.kernels.forEach((k, i) => k.fused.forEach((f) => group.set(f.id, i)));
    const lines = ["digraph nabla {", "  rankdir=TB;", '  node [shape=box, fontname="monospace", fontsize=10];'];
    const byKernel = new Map<number, GraphNodeInfo[]>();
    for (const n of nodes) {
      const g = group.get(n.id) ?? -1;
      byKernel.set(g, [...(byKernel.get(g) ?? []), n]);
    }
    for (const [g, ns] of byKernel) {
      const body = ns.map(
        (n) =>
          `    n${n.id} [label="%${n.id} ${n.op}\\n${n.dtype}[${n.shape.join(",")}]"${n.realized ? ", style=filled, fillcolor=lightgrey" : ""}];`,
      );
      if (g < 0) lines.push(...body.map((b) => b.slice(2)));
      else
        lines.push(
          `  subgraph cluster_${g} {`,
          `    label="${d.kernels[g]?.name ?? ""}";`,
          "    style=rounded;",
          ...body,
          "  }",
        );
    }
    for (const n of nodes) for (const i of n.inputs) lines.push(`  n${i} -> n${n.id};`);
    lines.push("}");
    return lines.join("\n");
  }
}
