import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { addFlags, benchTable, classLabels, CliError, samplingFlags, concatGenerated, expandPlans, parseFlags, planFamily, planPresets, resolvePlan, splitPlans, withGuidanceScale, type Generated, type Scores } from '../src';

describe('cli-kit', () => {
  it('parseFlags names the flag in kebab case', () => {
    const schema = z.object({ batchSize: z.coerce.number().int().min(1) });
    expect(parseFlags(schema, { batchSize: '4' })).toEqual({ batchSize: 4 });
    expect(() => parseFlags(schema, { batchSize: '0' })).toThrow(CliError);
    expect(() => parseFlags(schema, { batchSize: '0' })).toThrow(/^--batch-size: /);
  });

  it('addFlags registers a flag table in order and validates what commander hands over', () => {
    const registered: unknown[][] = [];
    const target = {
      option: (...a: unknown[]) => void registered.push(['option', ...a]),
      requiredOption: (...a: unknown[]) => void registered.push(['required', ...a]),
    };
    const F = samplingFlags;
    const schema = addFlags(target, { checkpoint: F.checkpoint('ckpt'), count: F.count(500, 'samples', 2), guidance: F.guidance(), json: F.json('as JSON') });
    expect(registered).toEqual([
      ['required', '--checkpoint <file>', 'ckpt (required)'],
      ['option', '--count <n>', 'samples', '500'],
      ['option', '--guidance <scale>', 'classifier-free guidance scale for every stage (1: none)'],
      ['option', '--json', 'as JSON'],
    ]);
    // Commander passes strings (defaults included) and leaves unset flags out.
    expect(parseFlags(schema, { checkpoint: 'a.safetensors', count: '500' })).toEqual({ checkpoint: 'a.safetensors', count: 500, json: false });
    expect(() => parseFlags(schema, { checkpoint: 'a', count: '1' })).toThrow(/^--count: /);
    expect(() => parseFlags(schema, { checkpoint: 'a', count: '9', guidance: 'x' })).toThrow(/^--guidance: /);
    expect(() => parseFlags(schema, { checkpoint: 'a', count: '9', typo: 1 })).toThrow(/typo/);
  });

  it('resolves plan presets, inline JSON and files, with clear errors', () => {
    expect(resolvePlan('lowdiff-3', 32).stages.map((s) => [s.resolution, s.steps, s.sigmaAug])).toEqual([[8, 8, 0.05], [16, 6, 0.75], [32, 8, 0.75]]);
    const sdedit = resolvePlan('lowdiff-3-sdedit', 32).stages.map((s) => [s.resolution, s.steps, s.conditioned, s.start]);
    expect(sdedit).toEqual([
      [8, 8, true, { kind: 'noise' }],
      [16, 6, true, { kind: 'upsampled', sigmaStart: 3 }],
      [32, 8, false, { kind: 'upsampled', sigmaStart: 8 }],
    ]);
    expect(resolvePlan('lowdiff-2-sdedit', 32).stages.map((s) => [s.resolution, s.conditioned])).toEqual([[8, true], [32, false]]);
    expect(resolvePlan('baseline-heun-18', 32).stages).toHaveLength(1);
    expect(resolvePlan('{"stages":[{"resolution":16,"steps":3}]}', 32).name).toBe('custom');
    expect(() => resolvePlan('nope', 32)).toThrow(/neither a preset .* nor a file/);
    expect(() => resolvePlan('{"stages":', 32)).toThrow(/--plan: not valid JSON/);
    expect(() => resolvePlan('{"stages":[{"resolution":16,"steps":0}]}', 32)).toThrow(/--plan: .*steps/);
    const guided = withGuidanceScale(resolvePlan('lowdiff-2', 32), 2);
    expect(guided.stages.every((s) => s.guidance?.scale === 2)).toBe(true);
  });

  it('splits plan lists without breaking inline JSON', () => {
    expect(splitPlans('a, b,{"stages":[{"x":1,"y":2}]} ,c')).toEqual(['a', 'b', '{"stages":[{"x":1,"y":2}]}', 'c']);
  });

  it('expands the frontier sweep and globs over preset names, each plan once', () => {
    const heun = ['baseline-heun-18', 'baseline-heun-14', 'baseline-heun-10', 'baseline-heun-8', 'baseline-heun-6'];
    const dpm = ['baseline-dpmpp2m-35', 'baseline-dpmpp2m-27', 'baseline-dpmpp2m-19', 'baseline-dpmpp2m-15', 'baseline-dpmpp2m-11'];
    expect(expandPlans(['frontier'], 32)).toEqual([...heun, ...dpm, 'lowdiff-3', 'lowdiff-3-dpm', 'lowdiff-3-sdedit']);
    expect(expandPlans(['baseline-heun-*'], 32)).toEqual(heun);
    expect(expandPlans(['lowdiff-3', '*-sdedit', 'baseline-dpmpp2m-1*'], 32)).toEqual(['lowdiff-3', 'lowdiff-3-sdedit', 'lowdiff-2-sdedit', 'baseline-dpmpp2m-19', 'baseline-dpmpp2m-15', 'baseline-dpmpp2m-11']);
    expect(expandPlans(['lowdiff-3', 'frontier'], 32)[0]).toBe('lowdiff-3');
    expect(expandPlans(['lowdiff-3', 'frontier'], 32)).toHaveLength(13);
    const inline = '{"stages":[{"resolution":32,"steps":2}],"name":"a*b"}';
    expect(expandPlans([inline, 'plans/mine.json'], 32)).toEqual([inline, 'plans/mine.json']);
    expect(() => expandPlans(['euler-*'], 32)).toThrow(/^--plans: 'euler-\*' matches no preset/);
    // Only * is a wildcard: the dot is a dot.
    expect(() => expandPlans(['baseline-heun-1.*'], 32)).toThrow(/matches no preset/);
  });

  it("names a plan's sampler family from its structure", () => {
    const presets = planPresets(32);
    const family = (name: string) => planFamily(presets[name]());
    expect(family('baseline-heun-6')).toBe('Heun baseline');
    expect(family('baseline-dpmpp2m-19')).toBe('DPM-Solver++(2M) baseline');
    expect(['lowdiff-3', 'lowdiff-3-fast', 'lowdiff-2'].map(family)).toEqual(Array(3).fill('LowDiff cascade (Heun)'));
    expect(['lowdiff-3-sdedit', 'lowdiff-2-sdedit'].map(family)).toEqual(Array(2).fill('LowDiff SDEdit (Heun)'));
    expect(planFamily(resolvePlan('{"stages":[{"resolution":16,"steps":4,"solver":"euler"},{"resolution":32,"steps":3,"solver":"dpmpp2m"}]}', 32))).toBe('LowDiff cascade (Euler / DPM-Solver++(2M))');
  });

  it('maps --class to labels', () => {
    expect(classLabels('all', 5, 3)).toEqual([0, 1, 2, 0, 1]);
    expect(classLabels('trouser', 2, 10, ['T-shirt/top', 'Trouser'])).toEqual([1, 1]);
    expect(classLabels(undefined, 2, 0)).toBeUndefined();
    expect(() => classLabels('12', 2, 10)).toThrow(/--class: '12' is not a class/);
    expect(() => classLabels('3', 2, 0)).toThrow(/unconditional/);
  });

  it('joins generated sets and formats the bench table', () => {
    const part = (n: number, v: number): Generated => ({
      count: n, resolution: 2, channels: 1, images: new Float32Array(n * 4).fill(v), firstStage: new Float32Array(n).fill(v), firstResolution: 1,
      strip: [], labels: Array(n).fill(v), nfe: 3, effectiveNfe: 1.5, stages: [], wallMs: 100 * n,
    });
    const all = concatGenerated([part(2, 1), part(3, 2)]);
    expect(all.count).toBe(5);
    expect(Array.from(all.images.subarray(7, 9))).toEqual([1, 2]);
    expect(all.labels).toEqual([1, 1, 2, 2, 2]);
    expect(all.wallMs).toBe(500);
    const table = benchTable([{ plan: 'p', family: 'Heun baseline', nfePerStage: '8:3', nfe: 3, effectiveNfe: 1.5, imagesPerSec: 2, speedup: 1, scores: null }]);
    expect(table.split('\n')[2]).toBe('| p | 8:3 | 3 | 1.50 | 2.00 | 1.00x | - | - | - | - |');
    const scores = (scoredAs: Scores['scoredAs']): Scores => ({ extractor: 'e', reference: 'r', scoredAs, count: 5, fid: 1.5, kid: 0.25, kidStd: 0, inceptionScore: 1, precision: 1, recall: 1, conditionalAccuracy: 0.5, lowResPsnr: 20, warnings: [] });
    for (const [mode, caption] of [['png', 'scored as 8-bit images'], ['raw', "scored as the sampler's raw floats"]] as const) {
      const lines = benchTable([{ plan: 'p', family: 'Heun baseline', nfePerStage: '8:3', nfe: 3, effectiveNfe: 1.5, imagesPerSec: 2, speedup: 1, scores: scores(mode) }]).split('\n');
      expect(lines[0]).toContain(caption);
      expect(lines[0]).toContain("low-res PSNR on the sampler's floats");
      expect(lines[1]).toBe('');
      expect(lines[4]).toBe('| p | 8:3 | 3 | 1.50 | 2.00 | 1.00x | 1.500 | 0.2500 | 50.0 % | 20.00 dB |');
    }
  });
});
