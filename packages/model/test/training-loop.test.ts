import { describe, expect, it } from 'vitest';
import { trainingLoop, type StepOutcome } from '../src';

/** A fake trainer: `plan` says, per call, whether the step is good, bad (non-finite) or the data's end. */
function fake(plan: ('good' | 'bad' | 'end')[], until: number, extra: { checkpointEvery?: number; abortAfter?: number } = {}) {
  let position = 0;
  let call = 0;
  const saves: number[] = [];
  const skips: number[] = [];
  const progress: number[] = [];
  const ctl = new AbortController();
  const run = trainingLoop({
    position: () => position,
    until,
    signal: ctl.signal,
    maxBadSteps: 3,
    checkpointEvery: extra.checkpointEvery ?? 0,
    save: async () => {
      saves.push(position);
    },
    step: async (): Promise<StepOutcome> => {
      const kind = plan[call++] ?? 'good';
      if (kind === 'end') return { ok: false, reason: 'end', end: true };
      if (kind === 'bad') return { ok: false, reason: 'loss is NaN' };
      position++;
      if (extra.abortAfter === position) ctl.abort();
      return { ok: true, images: 4 };
    },
    onSkip: (p) => skips.push(p),
    diverged: (bad, why) => new Error(`diverged after ${bad}: ${why}`),
    afterStep: (_o, p) => {
      progress.push(p.skipped);
      expect(p.imagesPerSec).toBeGreaterThan(0);
    },
  });
  return { run, saves, skips, progress };
}

describe('trainingLoop (shared by the diffusion and the VAE trainer)', () => {
  it('runs to `until`, checkpoints every so often and at the end', async () => {
    const f = fake([], 7, { checkpointEvery: 3 });
    expect(await f.run).toEqual({ reason: 'done', skipped: 0 });
    expect(f.saves).toEqual([3, 6, 7]);
  });

  it('skips non-finite steps without advancing, and counts them', async () => {
    const f = fake(['good', 'bad', 'bad', 'good', 'bad'], 4);
    expect(await f.run).toEqual({ reason: 'done', skipped: 3 });
    expect(f.skips).toEqual([1, 1, 2]);
    expect(f.progress).toEqual([0, 2, 3, 3]);
  });

  it('gives up after maxBadSteps in a row, without the final checkpoint', async () => {
    const f = fake(['good', 'bad', 'bad', 'bad'], 10, { checkpointEvery: 1 });
    await expect(f.run).rejects.toThrow('diverged after 3: loss is NaN');
    expect(f.saves).toEqual([1]);
  });

  it('stops on abort and when the data ends, saving either way', async () => {
    const aborted = fake([], 10, { abortAfter: 2 });
    expect(await aborted.run).toEqual({ reason: 'aborted', skipped: 0 });
    expect(aborted.saves).toEqual([2]);
    const ended = fake(['good', 'end'], 10);
    expect(await ended.run).toEqual({ reason: 'data-exhausted', skipped: 0 });
    expect(ended.saves).toEqual([1]);
  });
});
