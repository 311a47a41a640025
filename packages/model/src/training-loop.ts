/** What one training step reports to the loop; `end` when a finite data stream ran out. */
export type StepOutcome = { ok: true; images: number } | { ok: false; reason: string; end?: boolean };

/** The loop's statistics, handed to `afterStep`. */
export interface LoopProgress {
  /** Milliseconds the step took. */
  ms: number;
  stepsPerSec: number;
  imagesPerSec: number;
  etaSec: number;
  /** Non-finite steps skipped so far in this run. */
  skipped: number;
}

export interface TrainingLoopOptions<O extends StepOutcome> {
  /** The step count now (the trainer owns it; a successful `step` advances it). */
  position(): number;
  /** Train until this step. */
  until: number;
  /** One step: its outcome; a step that is not ok must leave the weights untouched. */
  step(): Promise<O>;
  signal?: AbortSignal;
  /** Non-finite steps in a row after which the loop gives up with `diverged(...)`. */
  maxBadSteps: number;
  diverged(bad: number, reason: string): Error;
  onSkip?(position: number, reason: string): void;
  /** After every good step: progress, logs. */
  afterStep?(outcome: Extract<O, { ok: true }>, progress: LoopProgress): void | Promise<void>;
  /** Steps between checkpoints (0: only the final one). */
  checkpointEvery: number;
  save(): Promise<void>;
}

/**
 * The loop both trainers share (the diffusion trainer and the VAE trainer): abort, non-finite
 * steps skipped and counted, progress with ETA, checkpoints every so often and at the end
 * (also after an abort). Each trainer supplies its step and its loss; the loop owns the rest.
 */
export async function trainingLoop<O extends StepOutcome>(o: TrainingLoopOptions<O>): Promise<{ reason: 'done' | 'aborted' | 'data-exhausted'; skipped: number }> {
  const start = performance.now();
  const first = o.position();
  let images = 0;
  let bad = 0;
  let skipped = 0;
  let reason: 'done' | 'aborted' | 'data-exhausted' = 'done';
  while (o.position() < o.until) {
    if (o.signal?.aborted) {
      reason = 'aborted';
      break;
    }
    const t0 = performance.now();
    const outcome = await o.step();
    const now = performance.now();
    if (!outcome.ok && outcome.end) {
      reason = 'data-exhausted';
      break;
    }
    if (!outcome.ok) {
      skipped++;
      o.onSkip?.(o.position(), outcome.reason);
      if (++bad >= o.maxBadSteps) throw o.diverged(bad, outcome.reason);
      continue;
    }
    bad = 0;
    images += outcome.images;
    const seconds = Math.max((now - start) / 1000, 1e-9);
    const stepsPerSec = (o.position() - first) / seconds;
    await o.afterStep?.(outcome as Extract<O, { ok: true }>, { ms: now - t0, stepsPerSec, imagesPerSec: images / seconds, etaSec: (o.until - o.position()) / Math.max(stepsPerSec, 1e-9), skipped });
    if (o.checkpointEvery > 0 && o.position() % o.checkpointEvery === 0 && o.position() < o.until) await o.save();
  }
  await o.save();
  return { reason, skipped };
}
