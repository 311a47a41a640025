import { Piscina } from 'piscina';
import type { BackendName } from '@lowdiff/backend';
import type { Generated } from './generate';
import type { SamplingTask } from './sampling-worker';

/** Where pool workers load their model from (they cannot share the main thread's tensors). */
export interface PoolModel {
  checkpoint: string;
  backend: BackendName;
}

/**
 * Worker threads that sample in parallel, one model per worker. Tasks run in the order they are
 * submitted, so interleaved benchmark rounds stay interleaved; sample i still depends only on
 * (seed, i), so a pool makes exactly the images one thread would.
 */
export class SamplingPool {
  private readonly pool: Piscina<SamplingTask, Generated>;

  constructor(
    readonly model: PoolModel,
    readonly workers: number,
  ) {
    // From a source checkout the worker is the .ts file next to this one, loaded through tsx with
    // sibling packages resolved to their sources (also under vitest, whose transform stays on
    // its own thread); builds ship the .js.
    const source = import.meta.url.endsWith('.ts');
    this.pool = new Piscina({
      filename: new URL(`./sampling-worker.${source ? 'ts' : 'js'}`, import.meta.url).href,
      execArgv: source ? ['--conditions=@lowdiff/source', '--import', import.meta.resolve('tsx'), '--no-warnings'] : process.execArgv,
      minThreads: workers,
      maxThreads: workers,
      concurrentTasksPerWorker: 1,
    });
  }

  run(task: Omit<SamplingTask, 'checkpoint' | 'backend'>): Promise<Generated> {
    return this.pool.run({ ...task, ...this.model });
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
