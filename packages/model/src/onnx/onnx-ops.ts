import type * as tf from '@tensorflow/tfjs';
import type { Ops, Value } from '../ops';
import type { OnnxGraph } from './onnx-graph';

/**
 * A value of the graph being built. Feature maps are kept NCHW inside the graph (ONNX's Conv
 * layout, so no transposes between layers) while `shape` stays the logical NHWC one the networks
 * read; tokens and vectors are `plain`. Weights and constants are `data` until an op uses them,
 * so each lands in the file once, in the layout that op wants.
 */
export class OnnxValue implements Value {
  private named?: string;
  constructor(
    readonly shape: number[],
    readonly layout: 'nchw' | 'plain',
    name?: string,
    readonly data?: Float32Array,
    readonly dtype: 'float32' | 'int32' = 'float32',
  ) {
    this.named = name;
  }

  ref(g: OnnxGraph): string {
    this.named ??= g.floats('w', this.data!, this.shape);
    return this.named;
  }
}

export const V = (v: Value) => v as OnnxValue;

/** Broadcast of two logical shapes of equal rank (-1 is the dynamic batch). */
function broadcast(a: readonly number[], b: readonly number[]): number[] {
  return a.map((d, i) => (d === 1 ? b[i] : d));
}

/** Transposes HWIO conv weights to ONNX's OIHW. */
export function oihw(data: Float32Array, [k1, k2, cin, cout]: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < k1; y++)
    for (let x = 0; x < k2; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * k1 + y) * k2 + x] = data[((y * k2 + x) * cin + i) * cout + o];
  return out;
}

/** TensorFlow's "same" padding: the odd pixel goes to the end. Returns [begin, end]. */
export function samePad(size: number, k: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * The op set recorded as an ONNX graph (opset 17). Call it with graph inputs made by
 * {@link OnnxOps.input}; the values it returns name the graph's outputs.
 */
export class OnnxOps implements Ops {
  private readonly weights = new Map<tf.Variable, OnnxValue>();
  private readonly derived = new Map<OnnxValue | string, Map<string, string>>();

  constructor(readonly graph: OnnxGraph) {}

  /** A graph input: a feature map (NHWC outside, NCHW inside) or a plain tensor; batch is dynamic. */
  input(name: string, shape: number[], kind: 'map' | 'plain', dtype: 'float32' | 'int32' = 'float32'): Value {
    const g = this.graph;
    g.input({ name, dtype, shape: shape.map((d, i) => (i === 0 ? 'N' : d)) });
    const logical = [-1, ...shape.slice(1)];
    if (kind === 'plain') return new OnnxValue(logical, 'plain', name, undefined, dtype);
    return new OnnxValue(logical, 'nchw', g.op('Transpose', [name], { perm: [0, 3, 1, 2] }));
  }

  /** Makes `v` the graph output `name` (feature maps leave as NHWC). */
  output(name: string, v: Value): void {
    const g = this.graph;
    const x = V(v);
    if (x.layout === 'nchw') g.node('Transpose', [x.ref(g)], { perm: [0, 2, 3, 1] }, [name]);
    else g.node('Identity', [x.ref(g)], {}, [name]);
    g.output({ name, dtype: 'float32', shape: x.shape.map((d, i) => (i === 0 ? 'N' : d)) });
  }

  weight(v: tf.Variable): Value {
    let w = this.weights.get(v);
    if (!w) {
      w = new OnnxValue(v.shape, 'plain', undefined, v.dataSync() as Float32Array);
      this.weights.set(v, w);
    }
    return w;
  }

  constant(values: Float32Array, shape: number[]): Value {
    return new OnnxValue(shape, 'plain', undefined, values);
  }

  /** An initializer derived from `source` (a weight, or a key for a fixed constant), written once. */
  protected derive(source: OnnxValue | string, key: string, make: () => [Float32Array, number[]]): string {
    let forSource = this.derived.get(source);
    if (!forSource) this.derived.set(source, (forSource = new Map()));
    let name = forSource.get(key);
    if (!name) {
      const [data, dims] = make();
      name = this.graph.floats(key, data, dims);
      forSource.set(key, name);
    }
    return name;
  }

  protected scalar(k: number): string {
    return this.derive('scalar', String(k), () => [Float32Array.of(k), []]);
  }

  protected filled(value: number, length: number): string {
    return this.derive('filled', `${value}x${length}`, () => [new Float32Array(length).fill(value), [length]]);
  }

  protected map(shape: number[], name: string): OnnxValue {
    return new OnnxValue(shape, 'nchw', name);
  }

  protected plain(shape: number[], name: string): OnnxValue {
    return new OnnxValue(shape, 'plain', name);
  }

  conv2d(xv: Value, wv: Value, bv: Value, stride: 1 | 2): Value {
    const g = this.graph;
    const [x, w, b] = [V(xv), V(wv), V(bv)];
    const [k1, k2, , cout] = w.shape;
    const [, h, wd] = x.shape;
    const [top, bottom] = samePad(h, k1, stride);
    const [left, right] = samePad(wd, k2, stride);
    const weight = this.derive(w, 'oihw', () => [oihw(w.data!, w.shape), [cout, w.shape[2], k1, k2]]);
    const y = g.op('Conv', [x.ref(g), weight, b.ref(g)], { kernel_shape: [k1, k2], strides: [stride, stride], pads: [top, left, bottom, right] });
    return this.map([x.shape[0], Math.ceil(h / stride), Math.ceil(wd / stride), cout], y);
  }

  linear(xv: Value, wv: Value, bv: Value | null): Value {
    const g = this.graph;
    const x = V(xv);
    let y = g.op('MatMul', [x.ref(g), V(wv).ref(g)]);
    if (bv) y = g.op('Add', [y, V(bv).ref(g)]);
    return this.plain([...x.shape.slice(0, -1), wv.shape[1]], y);
  }

  groupNorm(xv: Value, gammaV: Value, betaV: Value, groups: number, eps: number): Value {
    const g = this.graph;
    const x = V(xv);
    const [, h, w, c] = x.shape;
    // GroupNorm as InstanceNormalization over [N, G, C/G * H * W], as PyTorch exports it.
    const grouped = g.op('Reshape', [x.ref(g), g.ints([0, groups, -1])]);
    const normed = g.op('InstanceNormalization', [grouped, this.filled(1, groups), this.filled(0, groups)], { epsilon: { float: eps } });
    const back = g.op('Reshape', [normed, g.ints([0, c, h, w])]);
    const gamma = this.derive(V(gammaV), 'c11', () => [V(gammaV).data!, [c, 1, 1]]);
    const beta = this.derive(V(betaV), 'c11', () => [V(betaV).data!, [c, 1, 1]]);
    return this.map(x.shape, g.op('Add', [g.op('Mul', [back, gamma]), beta]));
  }

  layerNorm(xv: Value, eps: number): Value {
    const g = this.graph;
    const x = V(xv);
    const d = x.shape[x.shape.length - 1];
    return this.plain(x.shape, g.op('LayerNormalization', [x.ref(g), this.filled(1, d)], { axis: -1, epsilon: { float: eps } }));
  }

  silu(xv: Value): Value {
    const g = this.graph;
    const x = V(xv);
    return this.like(x, g.op('Mul', [x.ref(g), g.op('Sigmoid', [x.ref(g)])]));
  }

  relu(xv: Value): Value {
    return this.like(V(xv), this.graph.op('Relu', [V(xv).ref(this.graph)]));
  }

  gelu(xv: Value): Value {
    const g = this.graph;
    const x = V(xv).ref(g);
    const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
    const inner = g.op('Mul', [g.op('Add', [x, g.op('Mul', [cube, this.scalar(0.044715)])]), this.scalar(Math.sqrt(2 / Math.PI))]);
    const y = g.op('Mul', [g.op('Mul', [x, this.scalar(0.5)]), g.op('Add', [g.op('Tanh', [inner]), this.scalar(1)])]);
    return this.like(V(xv), y);
  }

  protected like(x: OnnxValue, name: string): OnnxValue {
    return new OnnxValue(x.shape, x.layout, name);
  }

  add(av: Value, bv: Value): Value {
    const g = this.graph;
    const [a, b] = [V(av), V(bv)];
    if (a.layout !== b.layout && a.data === undefined && b.data === undefined) throw new Error('OnnxOps.add: values of different layouts');
    return new OnnxValue(broadcast(a.shape, b.shape), a.layout, g.op('Add', [a.ref(g), b.ref(g)]));
  }

  multiply(av: Value, bv: Value): Value {
    const g = this.graph;
    return this.like(V(av), g.op('Mul', [V(av).ref(g), V(bv).ref(g)]));
  }

  scale(xv: Value, k: number): Value {
    const g = this.graph;
    return this.like(V(xv), g.op('Mul', [V(xv).ref(g), this.scalar(k)]));
  }

  scalePerSample(xv: Value, v: Value): Value {
    const g = this.graph;
    const x = V(xv);
    const column = g.op('Reshape', [V(v).ref(g), g.ints([-1, ...Array<number>(x.shape.length - 1).fill(1)])]);
    return this.like(x, g.op('Mul', [x.ref(g), column]));
  }

  addChannelBias(xv: Value, v: Value): Value {
    const g = this.graph;
    const x = V(xv);
    const bias = g.op('Reshape', [V(v).ref(g), g.ints([0, x.shape[3], 1, 1])]);
    return this.like(x, g.op('Add', [x.ref(g), bias]));
  }

  protected unsqueeze1(v: Value): string {
    return this.graph.op('Unsqueeze', [V(v).ref(this.graph), this.graph.ints([1])]);
  }

  modulate(xv: Value, shift: Value, scale: Value): Value {
    const g = this.graph;
    const x = V(xv);
    const factor = g.op('Add', [this.unsqueeze1(scale), this.scalar(1)]);
    return this.like(x, g.op('Add', [g.op('Mul', [x.ref(g), factor]), this.unsqueeze1(shift)]));
  }

  gatedAdd(hv: Value, gate: Value, yv: Value): Value {
    const g = this.graph;
    return this.like(V(hv), g.op('Add', [V(hv).ref(g), g.op('Mul', [this.unsqueeze1(gate), V(yv).ref(g)])]));
  }

  concatChannels(av: Value, bv: Value): Value {
    const g = this.graph;
    const [a, b] = [V(av), V(bv)];
    return this.map([...a.shape.slice(0, 3), a.shape[3] + b.shape[3]], g.op('Concat', [a.ref(g), b.ref(g)], { axis: 1 }));
  }

  upsample2x(xv: Value): Value {
    const g = this.graph;
    const x = V(xv);
    const scales = this.derive('resize', 'up2', () => [Float32Array.of(1, 1, 2, 2), [4]]);
    const y = g.op('Resize', [x.ref(g), '', scales], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
    const [n, h, w, c] = x.shape;
    return this.map([n, 2 * h, 2 * w, c], y);
  }

  toTokens(xv: Value): Value {
    const g = this.graph;
    const x = V(xv);
    const [n, h, w, c] = x.shape;
    const flat = g.op('Reshape', [x.ref(g), g.ints([0, c, h * w])]);
    return this.plain([n, h * w, c], g.op('Transpose', [flat], { perm: [0, 2, 1] }));
  }

  fromTokens(tv: Value, h: number, w: number): Value {
    const g = this.graph;
    const t = V(tv);
    const [n, , c] = t.shape;
    const channelsFirst = g.op('Transpose', [t.ref(g)], { perm: [0, 2, 1] });
    return this.map([n, h, w, c], g.op('Reshape', [channelsFirst, g.ints([0, c, h, w])]));
  }

  patchify(xv: Value, p: number): Value {
    const g = this.graph;
    const x = V(xv);
    const [n, h, w, c] = x.shape;
    const [gh, gw] = [h / p, w / p];
    const grid = g.op('Reshape', [x.ref(g), g.ints([0, c, gh, p, gw, p])]);
    const patches = g.op('Transpose', [grid], { perm: [0, 2, 4, 3, 5, 1] });
    return this.plain([n, gh * gw, p * p * c], g.op('Reshape', [patches, g.ints([0, gh * gw, p * p * c])]));
  }

  unpatchify(tv: Value, gh: number, gw: number, p: number, channels: number): Value {
    const g = this.graph;
    const t = V(tv);
    const grid = g.op('Reshape', [t.ref(g), g.ints([0, gh, gw, p, p, channels])]);
    const nchw = g.op('Transpose', [grid], { perm: [0, 5, 1, 3, 2, 4] });
    return this.map([t.shape[0], gh * p, gw * p, channels], g.op('Reshape', [nchw, g.ints([0, channels, gh * p, gw * p])]));
  }

  split(xv: Value, parts: number): Value[] {
    const g = this.graph;
    const x = V(xv);
    const last = x.shape.length - 1;
    const d = x.shape[last] / parts;
    const outs = g.node('Split', [x.ref(g), g.ints(Array<number>(parts).fill(d))], { axis: -1 }, parts);
    return outs.map((o) => this.plain([...x.shape.slice(0, last), d], o));
  }

  maxPool2(xv: Value): Value {
    const x = V(xv);
    const [n, h, w, c] = x.shape;
    return this.map([n, Math.floor(h / 2), Math.floor(w / 2), c], this.graph.op('MaxPool', [x.ref(this.graph)], { kernel_shape: [2, 2], strides: [2, 2] }));
  }

  flatten(xv: Value): Value {
    const g = this.graph;
    const x = V(xv);
    const [n, h, w, c] = x.shape;
    const nhwc = g.op('Transpose', [x.ref(g)], { perm: [0, 2, 3, 1] });
    return this.plain([n, h * w * c], g.op('Reshape', [nhwc, g.ints([0, h * w * c])]));
  }

  attention(qv: Value, kv: Value, vv: Value, heads: number): Value {
    const g = this.graph;
    const [n, t, d] = qv.shape;
    const dh = d / heads;
    // [N, T, H*dh] -> [N, H, T, dh]; k goes straight to [N, H, dh, T].
    const perHead = (x: Value, perm: number[]) => g.op('Transpose', [g.op('Reshape', [V(x).ref(g), g.ints([0, t, heads, dh])])], { perm });
    const q = perHead(qv, [0, 2, 1, 3]);
    const kT = perHead(kv, [0, 2, 3, 1]);
    const v = perHead(vv, [0, 2, 1, 3]);
    const scores = g.op('Mul', [g.op('MatMul', [q, kT]), this.scalar(1 / Math.sqrt(dh))]);
    const attended = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.op('Reshape', [g.op('Transpose', [attended], { perm: [0, 2, 1, 3] }), g.ints([0, t, d])]);
    return this.plain([n, t, d], merged);
  }

  gather(tableV: Value, idsV: Value): Value {
    const g = this.graph;
    const [table, ids] = [V(tableV), V(idsV)];
    // Labels arrive as int32; 0/1 flags as floats, cast to int64 indices.
    const index = ids.dtype === 'int32' ? ids.ref(g) : g.op('Cast', [ids.ref(g)], { to: 7 });
    return this.plain([ids.shape[0], table.shape[1]], g.op('Gather', [table.ref(g), index], { axis: 0 }));
  }

  row(tableV: Value, index: number): Value {
    const table = V(tableV);
    const d = table.shape[1];
    if (table.data) return this.constant(table.data.slice(index * d, (index + 1) * d), [1, d]);
    return this.plain([1, d], this.graph.op('Gather', [table.ref(this.graph), this.graph.ints([index])], { axis: 0 }));
  }

  sinusoid(valuesV: Value, freqsV: Value, k: number): Value {
    const g = this.graph;
    const values = V(valuesV);
    const freqs = V(freqsV);
    const f = freqs.shape[0];
    const column = g.op('Reshape', [g.op('Mul', [values.ref(g), this.scalar(k)]), g.ints([-1, 1])]);
    const args = g.op('Mul', [column, g.op('Reshape', [freqs.ref(g), g.ints([1, f])])]);
    return this.plain([values.shape[0], 2 * f], g.op('Concat', [g.op('Cos', [args]), g.op('Sin', [args])], { axis: 1 }));
  }
}
