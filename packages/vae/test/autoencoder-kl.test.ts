import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '@lowdiff/backend';
import { ParamStore } from '@lowdiff/model';
import {
  AutoencoderKL,
  AutoencoderWeightsError,
  SD_VAE_CONFIG,
  VaeConfigError,
  autoencoderKLConfigFromDiffusers,
  loadAutoencoderKL,
  saveAutoencoderKL,
  torchShape,
  vaeWeightSpecs,
  type AutoencoderKLConfigInput,
} from '../src';
import { architectureOf, parseAutoencoderKLConfig } from '../src/autoencoder-kl';
import { randomStore } from '../src/kl-adapter';
import { attentionBlock, downsampleConv } from '../src/vae-network';
import { encodeF16, encodeF32, maxAbsDiff, randomTorchWeights, toLegacyAttention, torchConv2dReference } from './helpers';

// Two levels (4x down), attention in the mid blocks, quant convs: every kind of SD weight, tiny.
const TINY: AutoencoderKLConfigInput = { inChannels: 3, outChannels: 3, blockOutChannels: [8, 16, 16], layersPerBlock: 1, latentChannels: 4, normNumGroups: 4 };
const tinyArch = architectureOf(parseAutoencoderKLConfig(TINY));

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'lowdiff-vae-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const images = (n: number, size: number, seed = 0) => tf.clipByValue(new Rng(seed).normalTensor([n, size, size, 3], 0, 0.5), -1, 1) as tf.Tensor4D;

async function writeFileBytes(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

describe('AutoencoderKL architecture', () => {
  it('SD default config: 248 tensors, 83,653,863 parameters (as sd-vae-ft-mse), 8x down to 4 channels', () => {
    const specs = vaeWeightSpecs(architectureOf(SD_VAE_CONFIG));
    let params = 0;
    for (const s of specs.values()) params += s.shape.reduce((a, b) => a * b, 1);
    expect(specs.size).toBe(248);
    expect(params).toBe(83_653_863);
    expect(torchShape(specs.get('encoder.down_blocks.1.resnets.0.conv_shortcut.weight')!)).toEqual([256, 128, 1, 1]);
    expect(torchShape(specs.get('decoder.mid_block.attentions.0.to_out.0.weight')!)).toEqual([512, 512]);
    expect(torchShape(specs.get('decoder.up_blocks.3.resnets.0.conv_shortcut.weight')!)).toEqual([128, 256, 1, 1]);
    expect(specs.has('decoder.up_blocks.3.upsamplers.0.conv.weight')).toBe(false);
    expect(specs.has('encoder.down_blocks.3.downsamplers.0.conv.weight')).toBe(false);
  });

  it('the forward pass creates exactly the weights the spec lists, with the same shapes', () => {
    for (const cfg of [TINY, { ...TINY, midBlockAddAttention: false, useQuantConv: false, usePostQuantConv: false, layersPerBlock: 2 }]) {
      const arch = architectureOf(parseAutoencoderKLConfig(cfg));
      const store = randomStore(arch, 3);
      const built = new Map(store.entries().map(([n, v]) => [n, v.shape]));
      const spec = new Map([...vaeWeightSpecs(arch)].map(([n, s]) => [n, s.shape]));
      expect([...built.keys()].sort()).toEqual([...spec.keys()].sort());
      for (const [n, shape] of spec) expect(built.get(n), n).toEqual(shape);
      store.dispose();
    }
  });

  it('latentShape, shapes of encode/decode, and size errors', () => {
    const vae = new AutoencoderKL(TINY, 1);
    expect(vae.latentShape(16)).toEqual([4, 4, 4]);
    expect(vae.latentShape([8, 24])).toEqual([2, 6, 4]);
    expect(new AutoencoderKL({ ...TINY, blockOutChannels: [8, 8, 8, 8] }).latentShape(256)).toEqual([32, 32, 4]);
    expect(() => vae.latentShape(10)).toThrow(/height 10 is not a multiple of the downsampling factor 4/);
    const x = images(2, 16);
    const z = vae.encode(x);
    expect(z.shape).toEqual([2, 4, 4, 4]);
    const y = vae.decode(z);
    expect(y.shape).toEqual([2, 16, 16, 3]);
    expect(() => vae.encode(tf.zeros([1, 16, 16, 1]) as tf.Tensor4D)).toThrow(/images must have 3 channel\(s\)/);
    expect(() => vae.encode(tf.zeros([1, 18, 16, 3]) as tf.Tensor4D)).toThrow(/height 18 is not a multiple/);
    expect(() => vae.decode(tf.zeros([1, 4, 4, 3]) as tf.Tensor4D)).toThrow(/latents must have 4 channel\(s\)/);
    tf.dispose([x, z, y]);
    vae.dispose();
  });

  it('encode returns (mean - shift) * scale; a posterior sample differs from it by exp(logvar/2)-scaled noise', () => {
    const vae = new AutoencoderKL({ ...TINY, scalingFactor: 0.5, shiftFactor: 0.25 }, 2);
    const x = images(2, 16);
    const { mean, logvar } = vae.posterior(x);
    const z = vae.encode(x);
    expect(maxAbsDiff(z.dataSync(), tf.tidy(() => tf.mul(tf.sub(mean, 0.25), 0.5)).dataSync())).toBeLessThan(1e-6);
    const s = vae.encode(x, { sample: new Rng(9) });
    const expected = tf.tidy(() => tf.mul(tf.sub(tf.add(mean, tf.mul(tf.exp(tf.mul(logvar, 0.5)), new Rng(9).normalTensor(mean.shape))), 0.25), 0.5));
    expect(maxAbsDiff(s.dataSync(), expected.dataSync())).toBeLessThan(1e-5);
    expect(maxAbsDiff(s.dataSync(), z.dataSync())).toBeGreaterThan(1e-3);
    tf.dispose([x, mean, logvar, z, s, expected]);
    vae.dispose();
  });

  it("Downsample2D: pad (0,1,0,1) + 3x3 stride-2 conv, like PyTorch, for even and odd sizes", () => {
    const rng = new Rng(4);
    for (const size of [6, 7]) {
      const store = new ParamStore(5);
      const ctx = { store, training: false, dropout: 0 };
      const xData = rng.normalArray(2 * size * size * 3);
      const x = tf.tensor4d(xData, [2, size, size, 3]);
      const y = downsampleConv(ctx, 'd', x, 5);
      const wTf = store.vars.get('d.weight')!;
      const wTorch = tf.transpose(wTf, [3, 2, 0, 1]);
      const ref = torchConv2dReference(xData, [2, size, size, 3], wTorch.dataSync() as Float32Array, [5, 3, 3, 3], store.vars.get('d.bias')!.dataSync() as Float32Array, 2, [0, 1, 0, 1]);
      expect(y.shape).toEqual(ref.shape);
      expect(maxAbsDiff(y.dataSync(), ref.data)).toBeLessThan(1e-5);
      tf.dispose([x, y, wTorch]);
      store.dispose();
    }
  });

  it('attention block matches a direct computation of softmax(q k^T / sqrt(c)) v with a residual', () => {
    const store = new ParamStore(6);
    const ctx = { store, training: false, dropout: 0 };
    const x = new Rng(7).normalTensor([2, 3, 3, 8]) as tf.Tensor4D;
    const y = attentionBlock(ctx, 'a', x, 4);
    const get = (n: string) => store.vars.get(n)!;
    // Give the zero-initialised biases values, so the check covers them.
    for (const n of ['a.to_q.bias', 'a.to_k.bias', 'a.to_v.bias', 'a.to_out.0.bias', 'a.group_norm.bias']) get(n).assign(new Rng(n.length).normalTensor([8]));
    const y2 = attentionBlock(ctx, 'a', x, 4);
    const ref = tf.tidy(() => {
      const [n, h, w, c] = x.shape;
      const g = tf.reshape(x, [n, h * w, 4, 2]);
      const { mean, variance } = tf.moments(g, [1, 3], true);
      const normed = tf.add(tf.mul(tf.reshape(tf.div(tf.sub(g, mean), tf.sqrt(tf.add(variance, 1e-6))), [n, h * w, c]), get('a.group_norm.weight')), get('a.group_norm.bias'));
      const proj = (p: string, t: tf.Tensor) => tf.add(tf.matMul(tf.reshape(t, [-1, c]), get(`a.${p}.weight`)), get(`a.${p}.bias`)).reshape([n, h * w, c]);
      const q = proj('to_q', normed);
      const k = proj('to_k', normed);
      const v = proj('to_v', normed);
      const att = tf.matMul(tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(c))), v);
      return tf.add(x, tf.reshape(proj('to_out.0', att), [n, h, w, c]));
    });
    expect(maxAbsDiff(y2.dataSync(), ref.dataSync())).toBeLessThan(1e-4);
    tf.dispose([x, y, y2, ref]);
    store.dispose();
  });
});

describe('loadAutoencoderKL', () => {
  const weights = randomTorchWeights(tinyArch, 11);

  it('loads a diffusers-layout F32 file: PyTorch OIHW convs and [out, in] linears land transposed', async () => {
    const path = await writeFileBytes('tiny.safetensors', encodeF32(weights));
    const vae = await loadAutoencoderKL(path, TINY);
    const conv = weights.get('encoder.down_blocks.0.downsamplers.0.conv.weight')!;
    const ours = vae.store.vars.get('encoder.down_blocks.0.downsamplers.0.conv.weight')!;
    expect(ours.shape).toEqual([3, 3, 8, 8]);
    const back = tf.transpose(ours, [3, 2, 0, 1]);
    expect(Array.from(back.dataSync())).toEqual(Array.from(conv.data));
    const lin = weights.get('encoder.mid_block.attentions.0.to_q.weight')!;
    const oursLin = vae.store.vars.get('encoder.mid_block.attentions.0.to_q.weight')!;
    expect(Array.from(tf.transpose(oursLin).dataSync())).toEqual(Array.from(lin.data));
    // The first conv of the encoder computes what PyTorch would with the file's weights.
    const xData = new Rng(1).normalArray(16 * 16 * 3);
    const x = tf.tensor4d(xData, [1, 16, 16, 3]);
    const { conv2d } = await import('@lowdiff/model');
    const y = conv2d({ store: vae.store, training: false, dropout: 0 }, 'encoder.conv_in', x, 8);
    const ref = torchConv2dReference(xData, [1, 16, 16, 3], weights.get('encoder.conv_in.weight')!.data, [8, 3, 3, 3], weights.get('encoder.conv_in.bias')!.data, 1, [1, 1, 1, 1]);
    expect(maxAbsDiff(y.dataSync(), ref.data)).toBeLessThan(1e-5);
    tf.dispose([back, x, y]);
    vae.dispose();
  });

  it('legacy attention names (query/key/value/proj_attn), as 2-D or 4-D 1x1-conv weights, load to the same network', async () => {
    const x = images(1, 16, 5);
    const outputs: Float32Array[] = [];
    for (const [name, w] of [
      ['new', weights],
      ['legacy2d', toLegacyAttention(weights, false)],
      ['legacy4d', toLegacyAttention(weights, true)],
    ] as const) {
      const vae = await loadAutoencoderKL(await writeFileBytes(`${name}.safetensors`, encodeF32(w)), TINY);
      const y = tf.tidy(() => vae.decode(vae.encode(x)));
      outputs.push(y.dataSync() as Float32Array);
      y.dispose();
      vae.dispose();
    }
    expect(maxAbsDiff(outputs[0], outputs[1])).toBe(0);
    expect(maxAbsDiff(outputs[0], outputs[2])).toBe(0);
    x.dispose();
  });

  it('loads F16 files (values as rounded to half precision)', async () => {
    const { bytes, rounded } = encodeF16(weights);
    const vae = await loadAutoencoderKL(await writeFileBytes('half.safetensors', bytes), TINY);
    const got = tf.transpose(vae.store.vars.get('decoder.conv_out.weight')!, [3, 2, 0, 1]).dataSync();
    expect(Array.from(got)).toEqual(Array.from(rounded.get('decoder.conv_out.weight')!));
    expect(maxAbsDiff(rounded.get('decoder.conv_out.weight')!, weights.get('decoder.conv_out.weight')!.data)).toBeLessThan(1e-3);
    vae.dispose();
  });

  it('save -> load round trip: same weights, config and normalisation from the metadata, same outputs', async () => {
    const vae = new AutoencoderKL({ ...TINY, scalingFactor: 0.3, shiftFactor: -0.1 }, 12);
    const path = join(dir, 'roundtrip.safetensors');
    await saveAutoencoderKL(path, vae);
    const again = await loadAutoencoderKL(path);
    expect(again.config).toEqual(vae.config);
    expect(again.normalisation).toEqual({ kind: 'scale-shift', scale: 0.3, shift: -0.1 });
    for (const [name, v] of vae.store.entries()) expect(Array.from(again.store.vars.get(name)!.dataSync()), name).toEqual(Array.from(v.dataSync()));
    const x = images(2, 16, 8);
    const [a, b] = [vae, again].map((m) => tf.tidy(() => m.decode(m.encode(x))));
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBe(0);
    // A measured per-channel normalisation travels with the file too.
    vae.setNormalisation({ kind: 'per-channel', mean: [0.1, 0.2, 0.3, 0.4], std: [1, 2, 3, 4] });
    await saveAutoencoderKL(path, vae);
    const third = await loadAutoencoderKL(path);
    expect(third.normalisation).toEqual({ kind: 'per-channel', mean: [0.1, 0.2, 0.3, 0.4], std: [1, 2, 3, 4] });
    tf.dispose([x, a, b]);
    [vae, again, third].forEach((m) => m.dispose());
  });

  describe('malformed files: each problem is named', () => {
    const expectProblem = async (name: string, bytes: Uint8Array, pattern: RegExp, config: AutoencoderKLConfigInput | 'from-file' = TINY) => {
      const path = await writeFileBytes(name, bytes);
      const err = await loadAutoencoderKL(path, config === 'from-file' ? undefined : config).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AutoencoderWeightsError);
      expect((err as Error).message).toMatch(pattern);
      return err as AutoencoderWeightsError;
    };
    const without = (skip: string) => new Map([...weights].filter(([n]) => n !== skip));

    it('a missing tensor', async () => {
      await expectProblem('missing.safetensors', encodeF32(without('decoder.up_blocks.1.resnets.0.norm2.bias')), /missing tensor 'decoder\.up_blocks\.1\.resnets\.0\.norm2\.bias' \(shape \[16\]\)/);
    });

    it('an extra (unexpected) tensor', async () => {
      const extra = new Map(weights);
      extra.set('encoder.down_blocks.9.resnets.0.conv1.weight', { shape: [2], data: new Float32Array(2) });
      await expectProblem('extra.safetensors', encodeF32(extra), /unexpected tensor 'encoder\.down_blocks\.9\.resnets\.0\.conv1\.weight'/);
    });

    it('a mis-shaped tensor, with the expected PyTorch shape', async () => {
      const bad = new Map(weights);
      bad.set('encoder.conv_in.weight', { shape: [8, 3, 1, 9], data: weights.get('encoder.conv_in.weight')!.data });
      await expectProblem('shape.safetensors', encodeF32(bad), /tensor 'encoder\.conv_in\.weight' has shape \[8,3,1,9\], expected \[8,3,3,3\]/);
      const lin = new Map(weights);
      lin.set('decoder.mid_block.attentions.0.to_k.weight', { shape: [16, 16, 1, 2], data: new Float32Array(512) });
      await expectProblem('shape2.safetensors', encodeF32(lin), /to_k\.weight' has shape \[16,16,1,2\], expected \[16,16\] or \[16,16,1,1\]/);
    });

    it('several problems at once are all listed', async () => {
      const bad = without('quant_conv.bias');
      bad.set('encoder.conv_out.bias', { shape: [7], data: new Float32Array(7) });
      const err = await expectProblem('many.safetensors', encodeF32(bad), /2 problems/);
      expect(err.problems.join('\n')).toMatch(/quant_conv\.bias/);
      expect(err.problems.join('\n')).toMatch(/encoder\.conv_out\.bias/);
    });

    it('a file for another config (the default SD config against tiny weights)', async () => {
      const err = await expectProblem('tiny-default.safetensors', encodeF32(weights), /the default SD VAE config/, 'from-file');
      expect(err.problems.some((p) => /missing tensor 'encoder\.down_blocks\.3\.resnets\.1\.conv2\.weight'/.test(p))).toBe(true);
    });

    it('an integer tensor', async () => {
      const { encodeSafetensors } = await import('@lowdiff/model');
      const bad = new Map<string, { shape: number[]; data: Float32Array | Int32Array }>(weights);
      bad.set('decoder.conv_in.bias', { shape: [16], data: new Int32Array(16) });
      await expectProblem('int.safetensors', encodeSafetensors(bad), /tensor 'decoder\.conv_in\.bias' has dtype I32/);
    });

    it('a file in the original LDM layout gets a hint', async () => {
      const ldm = new Map([['encoder.down.0.block.0.norm1.weight', { shape: [8], data: new Float32Array(8) }]]);
      await expectProblem('ldm.safetensors', encodeF32(ldm), /original LDM\/CompVis checkpoints must be converted/);
    });

    it('truncated, corrupt and absent files', async () => {
      const good = encodeF32(weights);
      await expectProblem('truncated.safetensors', good.subarray(0, good.length - 100), /truncated/);
      const corrupt = new Uint8Array(good);
      corrupt.fill(0x7b, 8, 20);
      await expectProblem('corrupt.safetensors', corrupt, /not valid JSON/);
      const err = await loadAutoencoderKL(join(dir, 'nope.safetensors')).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/nope\.safetensors: no such file/);
    });
  });
});

describe('guards and hygiene', () => {
  it('decoding extreme or non-finite latents gives finite images in [-1, 1] (and the guard is what does it)', () => {
    const vae = new AutoencoderKL(TINY, 13);
    const values = [1e4, -1e4, Infinity, -Infinity, NaN, 0, 3, -7];
    const data = Float32Array.from({ length: 2 * 4 * 4 * 4 }, (_, i) => values[i % values.length]);
    const z = tf.tensor4d(data, [2, 4, 4, 4]);
    const y = vae.decode(z);
    const out = y.dataSync();
    expect(out.every((v) => Number.isFinite(v) && v >= -1 && v <= 1)).toBe(true);
    // Same as decoding the sanitised latent by hand: NaN -> 0, clipped to +-50 (normalised).
    const clean = tf.tensor4d(Float32Array.from(data, (v) => (Number.isNaN(v) ? 0 : Math.max(-50, Math.min(50, v)))), [2, 4, 4, 4]);
    const y2 = vae.decode(clean);
    expect(maxAbsDiff(out, y2.dataSync())).toBe(0);
    // Without the guard the same latent poisons the output.
    const raw = vae.decodeRaw(tf.tidy(() => tf.div(z, 0.18215)) as tf.Tensor4D);
    expect(raw.dataSync().some((v) => Number.isNaN(v))).toBe(true);
    for (const fill of [NaN, Infinity, -1e4]) {
      const zz = tf.fill([1, 4, 4, 4], fill) as tf.Tensor4D;
      const yy = vae.decode(zz);
      expect(yy.dataSync().every((v) => Number.isFinite(v)), String(fill)).toBe(true);
      tf.dispose([zz, yy]);
    }
    tf.dispose([z, y, clean, y2, raw]);
    vae.dispose();
  });

  it('encode and decode leave no tensors behind', () => {
    const vae = new AutoencoderKL(TINY, 14);
    const x = images(2, 16);
    tf.dispose([vae.decode(vae.encode(x)), vae.encode(x, { sample: new Rng(1) })]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const z = vae.encode(x, { sample: new Rng(i) });
      const y = vae.decode(z);
      const p = vae.posterior(x);
      tf.dispose([z, y, p.mean, p.logvar]);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    vae.dispose();
  });
});

describe('configs', () => {
  it('name the bad field', () => {
    expect(() => new AutoencoderKL({ blockOutChannels: [8, 12], normNumGroups: 8 })).toThrow(/blockOutChannels\.1: 12 is not divisible by the group count \(8\)/);
    expect(() => new AutoencoderKL({ scalingFactor: 0 })).toThrow(VaeConfigError);
    expect(() => new AutoencoderKL({ layersPerBlock: 0 } as AutoencoderKLConfigInput)).toThrow(/layersPerBlock: must be >= 1/);
    expect(() => new AutoencoderKL({ outChannels: 1 })).toThrow(/outChannels: must equal inChannels/);
    expect(() => new AutoencoderKL({ blockOutChannel: [8] } as unknown as AutoencoderKLConfigInput)).toThrow(/Unrecognized key/);
  });

  it("reads a diffusers config.json (sd-vae-ft-mse's) and refuses unsupported block types", () => {
    const json = JSON.parse(
      '{"_class_name":"AutoencoderKL","_diffusers_version":"0.4.2","act_fn":"silu","block_out_channels":[128,256,512,512],"down_block_types":["DownEncoderBlock2D","DownEncoderBlock2D","DownEncoderBlock2D","DownEncoderBlock2D"],"in_channels":3,"latent_channels":4,"layers_per_block":2,"norm_num_groups":32,"out_channels":3,"sample_size":256,"up_block_types":["UpDecoderBlock2D","UpDecoderBlock2D","UpDecoderBlock2D","UpDecoderBlock2D"]}',
    );
    expect(autoencoderKLConfigFromDiffusers(json)).toEqual(SD_VAE_CONFIG);
    expect(autoencoderKLConfigFromDiffusers({ ...json, scaling_factor: 0.13025, shift_factor: null }).scalingFactor).toBe(0.13025);
    expect(() => autoencoderKLConfigFromDiffusers({ ...json, up_block_types: ['AttnUpDecoderBlock2D'] })).toThrow(/up_block_types: only UpDecoderBlock2D/);
  });
});
