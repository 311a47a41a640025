import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { checkIndex, imageSize, type ImageDataset } from './image-dataset';
import { isLatentDataset, type LatentDataset } from './latent-dataset';
import { parseConfig, DataConfigError } from './parse-config';
import { epochPermutation, stepsPerEpoch } from './shuffle-order';
import { imagesToFloat } from './tensor-convert';

/** A position in the batch stream: batch `step` (0-based, within the epoch) of epoch `epoch`. */
export const BatchCursorSchema = z
  .object({
    epoch: z.number().int('must be an integer').min(0, 'must be >= 0'),
    step: z.number().int('must be an integer').min(0, 'must be >= 0'),
  })
  .strict();
export type BatchCursor = z.infer<typeof BatchCursorSchema>;

export const BatchOptionsSchema = z
  .object({
    batchSize: z.number().int('must be an integer').min(1, 'must be >= 1'),
    /** Seeds the per-epoch permutations (hashed to 32 bits by Rng.derive). */
    seed: z.number().int('must be an integer').default(0),
    /** Epochs to run, counted from epoch 0 (a resumed stream stops at the same epoch), or 'infinite'. */
    epochs: z
      .union([z.number().int("must be an integer (or 'infinite')").min(1, "must be >= 1 (or 'infinite')"), z.literal('infinite')], {
        message: "must be an integer >= 1 or 'infinite'",
      })
      .default(1),
    /** Skip each epoch's short last batch, so every batch has batchSize images. */
    dropLast: z.boolean().default(false),
    /** false: data-set order in every epoch (evaluation passes). */
    shuffle: z.boolean().default(true),
    /** Batches whose typed arrays are prepared ahead of the consumer (0 = on demand). */
    prefetch: z.number().int('must be an integer').min(0, 'must be >= 0').max(64, 'must be <= 64').default(2),
    /** Where to start: the `next` cursor of the last batch a previous run consumed. */
    start: BatchCursorSchema.default({ epoch: 0, step: 0 }),
  })
  .strict();
export type BatchOptions = z.input<typeof BatchOptionsSchema>;

/** One batch. The consumer owns `images` and `labels` and must dispose them. */
export interface Batch {
  /** float32 NHWC: in [-1, 1] for an ImageDataset, the stored values for a LatentDataset. */
  images: tf.Tensor4D;
  /** int32 class labels. */
  labels: tf.Tensor1D;
  /** The data-set indices of the images, in batch order. */
  indices: Int32Array;
  epoch: number;
  /** Batch index within the epoch. */
  step: number;
  /** epoch * stepsPerEpoch + step. */
  globalStep: number;
  /** The cursor right after this batch: save it with a checkpoint and pass it as `start` to resume. */
  next: BatchCursor;
}

interface Prepared {
  cursor: BatchCursor;
  indices: Int32Array;
  images: Float32Array;
  labels: Int32Array;
}

/**
 * The async batch stream of {@link batches}. `state()` is the cursor of the next batch it will
 * yield; `stepsPerEpoch` the number of batches in an epoch.
 */
export class BatchIterator implements AsyncIterableIterator<Batch> {
  readonly stepsPerEpoch: number;
  private readonly opts: z.output<typeof BatchOptionsSchema>;
  /** The next batch to hand out. */
  private cursor: BatchCursor;
  /** The next batch to prepare (ahead of `cursor` by the queue's length). */
  private planned: BatchCursor;
  private queue: Promise<Prepared>[] = [];
  private orders = new Map<number, Int32Array>();
  private finished = false;

  constructor(
    private readonly dataset: ImageDataset | LatentDataset,
    options: BatchOptions,
  ) {
    this.opts = parseConfig(BatchOptionsSchema, options, 'batch options');
    this.stepsPerEpoch = stepsPerEpoch(dataset.count, this.opts.batchSize, this.opts.dropLast);
    const { start } = this.opts;
    if (start.step >= this.stepsPerEpoch) {
      throw new DataConfigError(
        `Invalid batch options: start.step: ${start.step} is past the last batch of an epoch (${this.stepsPerEpoch} batches of ${this.opts.batchSize} from ${dataset.count} images)`,
      );
    }
    this.cursor = { ...start };
    this.planned = { ...start };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The cursor of the next batch (JSON-serialisable); pass it as `start` to continue from here. */
  state(): BatchCursor {
    return { ...this.cursor };
  }

  async next(): Promise<IteratorResult<Batch, undefined>> {
    if (this.finished || this.isPastEnd(this.cursor)) return this.finish();
    if (this.queue.length === 0) this.queue.push(Promise.resolve(this.prepare(this.advancePlanned())));
    const prepared = await this.queue.shift()!;
    this.fill();
    const { cursor, indices } = prepared;
    this.cursor = this.after(cursor);
    const { height, width, channels } = this.dataset;
    return {
      done: false,
      value: {
        images: tf.tensor4d(prepared.images, [indices.length, height, width, channels]),
        labels: tf.tensor1d(prepared.labels, 'int32'),
        indices,
        epoch: cursor.epoch,
        step: cursor.step,
        globalStep: cursor.epoch * this.stepsPerEpoch + cursor.step,
        next: { ...this.cursor },
      },
    };
  }

  /** Stops the stream and drops prepared batches (plain arrays: no tensors to free). */
  async return(): Promise<IteratorResult<Batch, undefined>> {
    return this.finish();
  }

  private finish(): IteratorResult<Batch, undefined> {
    this.finished = true;
    this.queue = [];
    this.orders.clear();
    return { done: true, value: undefined };
  }

  private isPastEnd(c: BatchCursor): boolean {
    return this.opts.epochs !== 'infinite' && c.epoch >= this.opts.epochs;
  }

  private after(c: BatchCursor): BatchCursor {
    return c.step + 1 < this.stepsPerEpoch ? { epoch: c.epoch, step: c.step + 1 } : { epoch: c.epoch + 1, step: 0 };
  }

  private advancePlanned(): BatchCursor {
    const c = this.planned;
    this.planned = this.after(c);
    return c;
  }

  /**
   * Queues preparation of up to `prefetch` batches beyond the one just handed out. Each runs in
   * its own macrotask (setImmediate), i.e. whenever the consumer yields to the event loop.
   */
  private fill(): void {
    while (!this.finished && this.queue.length < this.opts.prefetch && !this.isPastEnd(this.planned)) {
      const c = this.advancePlanned();
      const job = new Promise<Prepared>((resolve, reject) =>
        nextMacrotask(() => {
          try {
            resolve(this.prepare(c));
          } catch (e) {
            reject(e);
          }
        }),
      );
      // A job dropped by return() must not surface as an unhandled rejection.
      job.catch(() => undefined);
      this.queue.push(job);
    }
  }

  private order(epoch: number): Int32Array {
    let order = this.orders.get(epoch);
    if (!order) {
      order = this.opts.shuffle
        ? epochPermutation(this.dataset.count, this.opts.seed, epoch)
        : Int32Array.from({ length: this.dataset.count }, (_, i) => i);
      this.orders.set(epoch, order);
      // Only the epoch being handed out and the one being prepared are needed.
      for (const e of this.orders.keys()) if (e < this.cursor.epoch) this.orders.delete(e);
    }
    return order;
  }

  private prepare(cursor: BatchCursor): Prepared {
    const { batchSize } = this.opts;
    const order = this.order(cursor.epoch);
    const indices = order.slice(cursor.step * batchSize, Math.min(order.length, (cursor.step + 1) * batchSize));
    const all = this.dataset.labels;
    const labels = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) labels[k] = all[indices[k]];
    return { cursor, indices, images: isLatentDataset(this.dataset) ? gatherValues(this.dataset, indices) : imagesToFloat(this.dataset, indices), labels };
  }
}

/** The latents at `indices`, copied as they are. */
function gatherValues(dataset: LatentDataset, indices: ArrayLike<number>): Float32Array {
  const size = imageSize(dataset);
  const out = new Float32Array(indices.length * size);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    checkIndex(dataset, i, k);
    out.set(dataset.values.subarray(i * size, (i + 1) * size), k * size);
  }
  return out;
}

/**
 * Seeded, resumable mini-batches of a data set as an async iterator:
 *
 * ```ts
 * for await (const b of batches(ds, { batchSize: 64, seed: 1, epochs: 'infinite' })) {
 *   trainStep(b.images, b.labels);
 *   tf.dispose([b.images, b.labels]);
 *   if (timeToSave) saveCheckpoint({ data: b.next }); // later: batches(ds, { ..., start: saved.data })
 * }
 * ```
 *
 * Epoch e visits the images in the order `epochPermutation(count, seed, e)` (data-set order with
 * `shuffle: false`), cut into consecutive batches of `batchSize`; the last batch of an epoch is
 * shorter unless `dropLast`. The order depends only on the seed, not on the batch size or on
 * where a run was resumed.
 *
 * Prefetch: after handing out a batch the iterator queues the gathering and byte -> float
 * conversion of up to `prefetch` further batches, each as its own macrotask, so that this
 * JavaScript work runs while the consumer is awaiting something (a tensor read-back, I/O) rather
 * than when it asks for the next batch. It adds no thread: a consumer that never yields to the
 * event loop gets no overlap, only the same batches. Tensors are created only when a batch is
 * handed out, so stopping early (`break`, `return()`) leaves no tensors behind.
 *
 * A {@link LatentDataset}'s float values are copied as they are; an ImageDataset's bytes are
 * mapped to [-1, 1].
 * @throws {@link DataConfigError} for bad options, or a start cursor past the end of an epoch
 */
export function batches(dataset: ImageDataset | LatentDataset, options: BatchOptions): BatchIterator {
  return new BatchIterator(dataset, options);
}

// Node's setImmediate; a page has only setTimeout (this module is in the browser entry too).
const nextMacrotask: (f: () => void) => void = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate ?? ((f) => setTimeout(f, 0));
