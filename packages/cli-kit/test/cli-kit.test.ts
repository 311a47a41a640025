import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { addFlags, benchTable, classLabels, CliError, samplingFlags, concatGenerated, parseFlags, resolvePlan, splitPlans, withGuidanceScale, type Generated } from '../src';

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
    expect(resolvePlan('lowdiff-3', 32).stages.map((s) => [s.resolution, s.steps, s.sigmaAug])).toEqual([[8, 8, 0.05], [16, 6, 0.5], [32, 8, 0.5]]);
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
    const table = benchTable([{ plan: 'p', nfePerStage: '8:3', nfe: 3, effectiveNfe: 1.5, imagesPerSec: 2, speedup: 1, scores: null }]);
    expect(table.split('\n')[2]).toBe('| p | 8:3 | 3 | 1.50 | 2.00 | 1.00x | - | - | - | - |');
  });
});
