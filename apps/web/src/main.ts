import * as tf from '@tensorflow/tfjs';
import { floatToBytes } from '@lowdiff/data';
import { exportOnnx, type EdmDenoiser, type SamplingDenoiser } from '@lowdiff/model';
import { checkPlanAgainstTraining, planPresets, withGuidanceScale, type ResolvedCascadePlan } from '@lowdiff/sampler';
import { drawGrid } from './draw';
import { pageLabels, runPlan, type PageRun } from './generate';
import { loadShippedModel } from './load-model';
import { openDenoiser, runtimeChoices, useTfjsBackendFor, type RuntimeChoice, type RuntimeId } from './runtimes';

/** What the page generates; the form's fields, and the argument of `window.lowdiff.generate`. */
export interface GenerateOptions {
  plan: string;
  count: number;
  seed: number;
  /** 'all' (cycling through the classes) or a class index. */
  classSpec: string;
  /** Guidance scale for every stage; undefined keeps the plan's. */
  guidance?: number;
  runtime: RuntimeId;
}

interface Session {
  runtime: RuntimeId;
  model: EdmDenoiser;
  classNames?: string[];
  denoiser: SamplingDenoiser;
  tfjsBackend: string;
  close(): Promise<void>;
}

const CELL = 64; // display size of every image, at every stage: the draft's pixels show as blocks
const BASELINE = 'baseline-heun-18';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const nextFrame = () => Promise.race([new Promise((r) => requestAnimationFrame(r)), new Promise((r) => setTimeout(r, 50))]);

let session: Session | null = null;
let lastRun: PageRun | null = null;
let choices: RuntimeChoice[] = [];
let queue: Promise<unknown> = Promise.resolve();

/** Runs page work one job at a time (both runtimes share the CPU and the tfjs engine). */
function serial<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job, job);
  queue = run.catch(() => undefined);
  return run;
}

async function open(runtime: RuntimeId): Promise<Session> {
  if (session?.runtime === runtime) return session;
  const choice = choices.find((c) => c.id === runtime);
  if (!choice?.available) throw new Error(`runtime ${runtime} is not available here${choice?.why ? `: ${choice.why}` : ''}`);
  if (session) {
    await session.close();
    session.model.dispose();
    session = null;
  }
  status(`Starting ${choice.label}...`);
  const tfjsBackend = await useTfjsBackendFor(runtime);
  const { model, classNames } = await loadShippedModel();
  const { denoiser, close } = await openDenoiser(runtime, model);
  session = { runtime, model, classNames, denoiser, tfjsBackend, close };
  $<HTMLSelectElement>('runtime').value = runtime;
  $('runtime-info').textContent =
    `Runtime: ${choice.label} (sampler arithmetic on tfjs-${tfjsBackend}); cross-origin isolated: ${globalThis.crossOriginIsolated}; ` +
    `model: ${model.config.kind}, stages ${model.resolutions.join(', ')}.`;
  return session;
}

function status(text: string): void {
  $('status').textContent = text;
}

/** The named plans, sized to the model's top resolution. */
const presetsFor = (s: Session) => planPresets(s.model.resolutions[s.model.resolutions.length - 1]);

function resolvePlan(s: Session, name: string, guidance: number | undefined) {
  const presets = presetsFor(s);
  if (!Object.hasOwn(presets, name)) throw new Error(`unknown plan '${name}' (${Object.keys(presets).join(', ')})`);
  return withGuidanceScale(presets[name](), guidance);
}

/** Generates with a plan, drawing each stage's output under #stages as soon as it exists. */
async function generate(o: GenerateOptions): Promise<PageRun> {
  return serial(async () => {
    const s = await open(o.runtime);
    const plan = resolvePlan(s, o.plan, o.guidance);
    showOptions(o);
    const labels = pageLabels(o.classSpec, o.count, s.model.numClasses);
    const columns = Math.min(o.count, 8);
    const panel = $('stages');
    panel.replaceChildren();
    status(`Generating ${o.count} images with ${o.plan}...`);
    const run = await runPlan(s.denoiser, plan, {
      count: o.count,
      seed: o.seed,
      labels,
      onStage: async (stage) => {
        const figure = document.createElement('figure');
        figure.className = 'stage';
        const canvas = document.createElement('canvas');
        canvas.dataset.stage = String(stage.stageIndex);
        canvas.dataset.resolution = String(stage.resolution);
        const caption = document.createElement('figcaption');
        caption.textContent = `stage ${stage.stageIndex + 1}: ${stage.resolution}x${stage.resolution}, ${stage.nfe} network calls per image, ${stage.wallMs.toFixed(0)} ms`;
        figure.append(caption, canvas);
        panel.append(figure);
        drawGrid(canvas, stage.images, o.count, stage.resolution, s.model.channels, columns, CELL);
        await nextFrame();
      },
    });
    lastRun = run;
    status(
      `${o.plan}: ${o.count} images in ${(run.wallMs / 1000).toFixed(2)} s, ${run.imagesPerSec.toFixed(2)} images/s, ` +
        `${run.nfe} NFE (${run.effectiveNfe.toFixed(1)} effective) on ${s.runtime}.` +
        run.warnings.map((w) => ` Warning: ${w}.`).join(''),
    );
    return run;
  });
}

/** Baseline and a LowDiff plan on the same seeds and labels, one after the other, timed in the page. */
async function race(o: GenerateOptions): Promise<{ baseline: PageRun; lowdiff: PageRun }> {
  const lowdiffPlan = o.plan.startsWith('lowdiff') ? o.plan : 'lowdiff-3';
  const baseline = await generate({ ...o, plan: BASELINE });
  const lowdiff = await generate({ ...o, plan: lowdiffPlan });
  const lanes = $('race-lanes');
  lanes.replaceChildren(
    ...[baseline, lowdiff].map((run) => {
      const lane = document.createElement('figure');
      lane.className = 'lane';
      const canvas = document.createElement('canvas');
      drawGrid(canvas, run.images, run.count, run.resolution, run.channels, Math.min(run.count, 8), 32);
      const caption = document.createElement('figcaption');
      caption.innerHTML = `<strong>${run.plan}</strong>: ${run.imagesPerSec.toFixed(2)} images/s, NFE ${run.nfe}, effective NFE ${run.effectiveNfe.toFixed(1)}`;
      lane.append(caption, canvas);
      return lane;
    }),
  );
  $('race-panel').hidden = false;
  status(`Race on ${o.runtime}: ${lowdiff.plan} ${(lowdiff.imagesPerSec / baseline.imagesPerSec).toFixed(2)}x the images/s of ${baseline.plan}.`);
  return { baseline, lowdiff };
}

/** The form shows what runs, also when a script called. */
function showOptions(o: GenerateOptions): void {
  $<HTMLSelectElement>('plan').value = o.plan;
  $<HTMLSelectElement>('class').value = o.classSpec;
  $<HTMLInputElement>('count').value = String(o.count);
  $<HTMLInputElement>('seed').value = String(o.seed);
  if (o.guidance !== undefined) $<HTMLInputElement>('guidance').value = String(o.guidance);
}

function formOptions(): GenerateOptions {
  const guidance = Number($<HTMLInputElement>('guidance').value);
  return {
    plan: $<HTMLSelectElement>('plan').value,
    count: Math.max(1, Math.min(64, Math.round(Number($<HTMLInputElement>('count').value) || 16))),
    seed: Math.max(0, Math.round(Number($<HTMLInputElement>('seed').value) || 0)),
    classSpec: $<HTMLSelectElement>('class').value,
    guidance: Number.isFinite(guidance) ? guidance : undefined,
    runtime: $<HTMLSelectElement>('runtime').value as RuntimeId,
  };
}

function option(value: string, label: string, disabled = false): HTMLOptionElement {
  const el = document.createElement('option');
  el.value = value;
  el.textContent = label;
  el.disabled = disabled;
  return el;
}

async function start(): Promise<void> {
  choices = await runtimeChoices();
  const preferred = choices.find((c) => c.available && c.id.startsWith('ort'))!;
  $('runtime').replaceChildren(...choices.map((c) => option(c.id, c.available ? c.label : `${c.label} (${c.why})`, !c.available)));
  $<HTMLSelectElement>('runtime').value = preferred.id;
  const s = await serial(() => open(preferred.id));
  // A preset made for another training mix (e.g. lowdiff-2) is listed but cannot be picked.
  const fits = (make: () => ResolvedCascadePlan) => !s.model.trainedFor || checkPlanAgainstTraining(make(), s.model.trainedFor).every((f) => f.severity !== 'error');
  $('plan').replaceChildren(...Object.entries(presetsFor(s)).map(([name, make]) => (fits(make) ? option(name, name) : option(name, `${name} (not what this model was trained for)`, true))));
  $<HTMLSelectElement>('plan').value = 'lowdiff-3';
  $('class').replaceChildren(option('all', 'all classes'), ...(s.classNames ?? []).map((n, i) => option(String(i), n)));
  const buttons = [$<HTMLButtonElement>('generate'), $<HTMLButtonElement>('race')];
  const guard = (job: () => Promise<unknown>) => async () => {
    buttons.forEach((b) => (b.disabled = true));
    try {
      await job();
    } catch (err) {
      status(`Error: ${(err as Error).message}`);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  };
  buttons[0].onclick = guard(() => generate(formOptions()));
  buttons[1].onclick = guard(() => race(formOptions()));
  status(`Ready: ${tf.getBackend()} tensors, ${preferred.label}.`);
}

const ready = start().catch((err) => {
  status(`Error: ${(err as Error).message}`);
  throw err;
});

/** For scripts and the browser test: the same operations as the buttons. */
const api = {
  ready,
  runtimes: () => choices,
  generate,
  race,
  /** The last run of either button or call. */
  lastRun: () => lastRun,
  /** SHA-256 (hex) of the ONNX graph the page exports for a stage: the one Node exports too. */
  graphSha256: async (resolution: number) => {
    // The graph comes from the model definition, whatever runtime the page has open.
    await ready;
    const s = await serial(async () => session!);
    const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(exportOnnx(s.model, resolution).bytes));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  },
  /** A run's final images as bytes, rounded as the CLI's PNGs are. */
  bytes: (run: PageRun) => Array.from(floatToBytes(run.images)),
};
declare global {
  interface Window {
    lowdiff: typeof api;
  }
}
window.lowdiff = api;
