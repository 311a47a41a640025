import { Piscina } from 'piscina';
import type { TrainingTask } from './training-worker';

/**
 * Worker threads that each hold a model replica and compute a slice of every training step
 * (wasm runs one core per thread in Node, so this is how training uses a machine's cores).
 */
export class TrainingPool {
  private readonly pool: Piscina<TrainingTask, { loss: number; grads: Float32Array }>;

  constructor(readonly workers: number) {
    // From a source checkout the worker is the .ts file next to this one, loaded through tsx with
    // sibling packages resolved to their sources; builds ship the .js (as cli-kit's SamplingPool).
    const source = import.meta.url.endsWith('.ts');
    this.pool = new Piscina({
      filename: new URL(`./training-worker.${source ? 'ts' : 'js'}`, import.meta.url).href,
      execArgv: source ? ['--conditions=@lowdiff/source', '--import', import.meta.resolve('tsx'), '--no-warnings'] : process.execArgv,
      minThreads: workers,
      maxThreads: workers,
      concurrentTasksPerWorker: 1,
    });
  }

  run(task: TrainingTask): Promise<{ loss: number; grads: Float32Array }> {
    return this.pool.run(task);
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
