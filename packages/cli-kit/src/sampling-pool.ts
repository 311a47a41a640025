import { Piscina } from 'piscina';
import type { BackendName } from '@lowdiff/backend';
import { readTrainedFor, type TrainedFor } from '@lowdiff/model';
import { concatGenerated, type Generated } from './generate';
import type { SamplingTask } from './sampling-worker';
import { checkPlanTraining } from './training-check';

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
  /** What the checkpoint was trained for, read from its header here: plans are checked in this thread, before a task goes out. */
  private trainedFor: Promise<TrainedFor | null> | null = null;

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

  /** Runs one task; its plan is first checked against the model's training (errors stop it here, as a CliError). */
  async run(task: Omit<SamplingTask, 'checkpoint' | 'backend'>): Promise<Generated> {
    const trainingWarnings = await this.checkPlan(task.plan);
    const g = await this.pool.run({ ...task, ...this.model });
    return trainingWarnings ? { ...g, trainingWarnings } : g;
  }

  private async checkPlan(plan: SamplingTask['plan']) {
    // An unreadable file is the workers' to report, with the loader's message.
    this.trainedFor ??= readTrainedFor(this.model.checkpoint).catch(() => null);
    const facts = await this.trainedFor;
    return facts ? checkPlanTraining(facts, plan) : undefined;
  }

  /**
   * `count` samples in tasks of `batchSize`, spread over the workers: the same images as
   * `generate` in one thread. `wallMs` sums the tasks' times, so images/s is
   * `imagesPerSecond(result, workers)`, as in the bench.
   */
  async generate(
    plan: SamplingTask['plan'],
    o: { count: number; seed: number; firstIndex?: number; labels?: number[]; batchSize: number; stripCount?: number; onBatch?: (done: number, total: number) => void },
  ): Promise<Generated> {
    // Checked once up front, so that a plan that does not fit stops before any task starts.
    await this.checkPlan(plan);
    let done = 0;
    const tasks: Promise<Generated>[] = [];
    const stripCount = o.stripCount ?? 0;
    // The first task holds the whole strip (its samples come from one task).
    for (let first = 0; first < o.count; ) {
      const n = Math.min(first === 0 ? Math.max(o.batchSize, stripCount) : o.batchSize, o.count - first);
      const task = { plan, count: n, seed: o.seed, firstIndex: (o.firstIndex ?? 0) + first, labels: o.labels?.slice(first, first + n), batchSize: o.batchSize, stripCount: first === 0 ? stripCount : 0 };
      tasks.push(this.run(task).then((g) => (o.onBatch?.((done += n), o.count), g)));
      first += n;
    }
    return concatGenerated(await Promise.all(tasks));
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
