import type { EdmDenoiser } from './edm-denoiser';

export interface ModelDescription {
  kind: 'unet' | 'dit';
  parameters: number;
  /** Parameters per block (weight names up to their block, e.g. `enc.l0.b0`, `stem.r8`). */
  blocks: { block: string; parameters: number }[];
  /** FLOPs of one call on one image per stage resolution, and relative to the largest. */
  flops: { resolution: number; flops: number; relative: number }[];
}

/** A summary of a model: parameters per block and FLOPs per resolution. */
export function describeModel(model: EdmDenoiser): ModelDescription {
  const blocks = new Map<string, number>();
  for (const [name, v] of model.store.entries()) {
    const parts = name.split('.');
    // Blocks are named two or three levels deep: stem.r8, emb.noise, enc.l0.b0, blocks.3
    const depth = parts[0] === 'enc' || parts[0] === 'dec' ? 3 : 2;
    const block = parts.slice(0, Math.min(depth, parts.length - 1)).join('.');
    blocks.set(block, (blocks.get(block) ?? 0) + v.size);
  }
  const top = model.flopsPerCall(model.resolutions[model.resolutions.length - 1]);
  return {
    kind: model.config.kind,
    parameters: model.parameterCount(),
    blocks: [...blocks].map(([block, parameters]) => ({ block, parameters })),
    flops: model.resolutions.map((r) => ({ resolution: r, flops: model.flopsPerCall(r), relative: model.flopsPerCall(r) / top })),
  };
}

/** The description as a plain-text table. */
export function formatDescription(d: ModelDescription): string {
  const lines = [`${d.kind} with ${d.parameters.toLocaleString('en-US')} parameters`, '', 'block                      parameters'];
  for (const b of d.blocks) lines.push(`${b.block.padEnd(26)} ${b.parameters.toLocaleString('en-US').padStart(10)}`);
  lines.push('', 'resolution   MFLOP/image   relative');
  for (const f of d.flops) lines.push(`${String(f.resolution).padStart(10)}   ${(f.flops / 1e6).toFixed(1).padStart(11)}   ${f.relative.toFixed(3).padStart(8)}`);
  return lines.join('\n');
}
