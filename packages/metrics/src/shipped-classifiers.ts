import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ClassifierExtractor } from './classifier-extractor';
import { MetricsError } from './errors';

/** Feature extractors whose weights ship in this package (trained by tools/train/classifier.ts). */
export const SHIPPED_CLASSIFIERS = ['classifier-fmnist', 'classifier-mnist'] as const;
export type ShippedClassifier = (typeof SHIPPED_CLASSIFIERS)[number];

/** Path of a shipped classifier's weights (`weights/<name>.safetensors` beside src/ and dist/). */
export function shippedClassifierPath(name: ShippedClassifier): string {
  return fileURLToPath(new URL(`../weights/${name}.safetensors`, import.meta.url));
}

/** Loads a shipped classifier; its metadata `info` holds the training command and test accuracy. */
export async function loadShippedClassifier(name: string): Promise<{ extractor: ClassifierExtractor; info: Record<string, unknown> }> {
  if (!(SHIPPED_CLASSIFIERS as readonly string[]).includes(name))
    throw new MetricsError(`unknown extractor '${name}' (shipped: ${SHIPPED_CLASSIFIERS.join(', ')})`);
  const path = shippedClassifierPath(name as ShippedClassifier);
  if (!existsSync(path)) throw new MetricsError(`${name}: weights missing at ${path}; train them with tools/train/classifier.ts`);
  return ClassifierExtractor.load(path);
}
