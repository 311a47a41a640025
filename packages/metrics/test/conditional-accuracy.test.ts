import { describe, expect, it } from 'vitest';
import { conditionalAccuracy, featureMatrix } from '../src/index';

describe('conditionalAccuracy', () => {
  const logits = featureMatrix('classifier-fmnist', new Float32Array([
    5, 1, 0, //  -> 0
    0, 2, 9, //  -> 2
    1, 1, 0, //  tie -> 0 (first)
    0, 3, 2, //  -> 1
  ]), 3);

  it('is the share of argmax predictions equal to the requested class', () => {
    const score = conditionalAccuracy(logits, [0, 2, 1, 1]);
    expect(score).toMatchObject({ name: 'conditional-accuracy', value: 0.75, extractor: 'classifier-fmnist', count: 4 });
    expect(conditionalAccuracy(logits, [0, 2, 0, 1]).value).toBe(1);
    expect(conditionalAccuracy(logits, [1, 1, 2, 0]).value).toBe(0);
  });

  it('rejects a length mismatch and labels outside the classes', () => {
    expect(() => conditionalAccuracy(logits, [0, 1])).toThrow(/2 requested labels for 4 samples/);
    expect(() => conditionalAccuracy(logits, [0, 1, 3, 0])).toThrow(/label 3 at index 2 is not a class in \[0, 3\)/);
    expect(() => conditionalAccuracy(logits, [0, 1, 0.5, 0])).toThrow(/label 0.5/);
  });
});
