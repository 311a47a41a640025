/**
 * The layer table of the FID Inception-v3 (the 2015-12-05 TensorFlow graph as ported to PyTorch
 * by pytorch-fid): every BasicConv2d (conv without bias + BatchNorm + ReLU) with the name it has
 * in the `pt_inception-2015-12-05` state dict, its channels, kernel, stride and padding. The
 * weight checker and the forward pass both read this table, so the names, shapes and the network
 * cannot drift apart.
 */

/** One BasicConv2d. `kernel` is [height, width], as PyTorch's `kernel_size=(kh, kw)`. */
export interface InceptionConv {
  /** Module path in the state dict, e.g. `Mixed_6b.branch7x7_2`. */
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: readonly [number, number];
  readonly stride: 1 | 2;
  /**
   * `same`: PyTorch pads (k - 1) / 2 on each side; every padded conv here has stride 1 and an odd
   * kernel, where that equals tfjs's 'same'. `valid`: no padding.
   */
  readonly padding: 'same' | 'valid';
}

/** BatchNorm epsilon of every BasicConv2d (torchvision's Inception3 and the TF graph). */
export const INCEPTION_BN_EPS = 0.001;
/** Input resolution the network was trained at and FID is defined for. */
export const INCEPTION_INPUT_SIZE = 299;
/** Width of the pool features (the `pool_3` layer of the TF graph). */
export const INCEPTION_FEATURE_DIM = 2048;
/** Rows of `fc` in the FID weights: 1000 ImageNet classes, a background class and 7 unused ones. */
export const INCEPTION_FC_CLASSES = 1008;
/** Smallest input for which every valid-padded stage still has at least one pixel. */
export const INCEPTION_MIN_INPUT_SIZE = 75;

/** How a mixed block pools its input for the `branch_pool` conv (the FID variants' quirks). */
export type BranchPool = 'avg-exclude-pad' | 'max';

/** The mixed blocks in order, with their constructor arguments as in torchvision / pytorch-fid. */
export type MixedBlock =
  | { kind: 'A'; name: string; inChannels: number; poolFeatures: number }
  | { kind: 'B'; name: string; inChannels: number }
  | { kind: 'C'; name: string; inChannels: number; channels7x7: number }
  | { kind: 'D'; name: string; inChannels: number }
  | { kind: 'E'; name: string; inChannels: number; pool: BranchPool };

export const STEM_CONVS: readonly InceptionConv[] = [
  conv('Conv2d_1a_3x3', 3, 32, [3, 3], 2, 'valid'),
  conv('Conv2d_2a_3x3', 32, 32, [3, 3], 1, 'valid'),
  conv('Conv2d_2b_3x3', 32, 64, [3, 3], 1, 'same'),
  // maxpool1 (3x3, stride 2) between these two
  conv('Conv2d_3b_1x1', 64, 80, [1, 1], 1, 'valid'),
  conv('Conv2d_4a_3x3', 80, 192, [3, 3], 1, 'valid'),
  // maxpool2 (3x3, stride 2) after
];

export const MIXED_BLOCKS: readonly MixedBlock[] = [
  { kind: 'A', name: 'Mixed_5b', inChannels: 192, poolFeatures: 32 },
  { kind: 'A', name: 'Mixed_5c', inChannels: 256, poolFeatures: 64 },
  { kind: 'A', name: 'Mixed_5d', inChannels: 288, poolFeatures: 64 },
  { kind: 'B', name: 'Mixed_6a', inChannels: 288 },
  { kind: 'C', name: 'Mixed_6b', inChannels: 768, channels7x7: 128 },
  { kind: 'C', name: 'Mixed_6c', inChannels: 768, channels7x7: 160 },
  { kind: 'C', name: 'Mixed_6d', inChannels: 768, channels7x7: 160 },
  { kind: 'C', name: 'Mixed_6e', inChannels: 768, channels7x7: 192 },
  { kind: 'D', name: 'Mixed_7a', inChannels: 768 },
  // FIDInceptionE_1 averages without the padded zeros; FIDInceptionE_2 max-pools instead (a
  // quirk of the TF graph that FID numbers depend on).
  { kind: 'E', name: 'Mixed_7b', inChannels: 1280, pool: 'avg-exclude-pad' },
  { kind: 'E', name: 'Mixed_7c', inChannels: 2048, pool: 'max' },
];

/** The BasicConv2d layers of one mixed block, in state-dict order. */
export function blockConvs(block: MixedBlock): InceptionConv[] {
  const n = (branch: string) => `${block.name}.${branch}`;
  const cin = block.inChannels;
  switch (block.kind) {
    case 'A':
      return [
        conv(n('branch1x1'), cin, 64, [1, 1]),
        conv(n('branch5x5_1'), cin, 48, [1, 1]),
        conv(n('branch5x5_2'), 48, 64, [5, 5]),
        conv(n('branch3x3dbl_1'), cin, 64, [1, 1]),
        conv(n('branch3x3dbl_2'), 64, 96, [3, 3]),
        conv(n('branch3x3dbl_3'), 96, 96, [3, 3]),
        conv(n('branch_pool'), cin, block.poolFeatures, [1, 1]),
      ];
    case 'B':
      return [
        conv(n('branch3x3'), cin, 384, [3, 3], 2, 'valid'),
        conv(n('branch3x3dbl_1'), cin, 64, [1, 1]),
        conv(n('branch3x3dbl_2'), 64, 96, [3, 3]),
        conv(n('branch3x3dbl_3'), 96, 96, [3, 3], 2, 'valid'),
      ];
    case 'C': {
      const c7 = block.channels7x7;
      return [
        conv(n('branch1x1'), cin, 192, [1, 1]),
        conv(n('branch7x7_1'), cin, c7, [1, 1]),
        conv(n('branch7x7_2'), c7, c7, [1, 7]),
        conv(n('branch7x7_3'), c7, 192, [7, 1]),
        conv(n('branch7x7dbl_1'), cin, c7, [1, 1]),
        conv(n('branch7x7dbl_2'), c7, c7, [7, 1]),
        conv(n('branch7x7dbl_3'), c7, c7, [1, 7]),
        conv(n('branch7x7dbl_4'), c7, c7, [7, 1]),
        conv(n('branch7x7dbl_5'), c7, 192, [1, 7]),
        conv(n('branch_pool'), cin, 192, [1, 1]),
      ];
    }
    case 'D':
      return [
        conv(n('branch3x3_1'), cin, 192, [1, 1]),
        conv(n('branch3x3_2'), 192, 320, [3, 3], 2, 'valid'),
        conv(n('branch7x7x3_1'), cin, 192, [1, 1]),
        conv(n('branch7x7x3_2'), 192, 192, [1, 7]),
        conv(n('branch7x7x3_3'), 192, 192, [7, 1]),
        conv(n('branch7x7x3_4'), 192, 192, [3, 3], 2, 'valid'),
      ];
    case 'E':
      return [
        conv(n('branch1x1'), cin, 320, [1, 1]),
        conv(n('branch3x3_1'), cin, 384, [1, 1]),
        conv(n('branch3x3_2a'), 384, 384, [1, 3]),
        conv(n('branch3x3_2b'), 384, 384, [3, 1]),
        conv(n('branch3x3dbl_1'), cin, 448, [1, 1]),
        conv(n('branch3x3dbl_2'), 448, 384, [3, 3]),
        conv(n('branch3x3dbl_3a'), 384, 384, [1, 3]),
        conv(n('branch3x3dbl_3b'), 384, 384, [3, 1]),
        conv(n('branch_pool'), cin, 192, [1, 1]),
      ];
  }
}

/** Every BasicConv2d of the network in forward order: 94 (torchvision's Inception3 without AuxLogits). */
export const INCEPTION_CONVS: readonly InceptionConv[] = [...STEM_CONVS, ...MIXED_BLOCKS.flatMap(blockConvs)];

/** Spatial size after the network's valid-padded stages, for an input of `size` pixels. */
export function finalSpatialSize(size: number): number {
  const valid = (s: number, k: number, stride: number) => Math.floor((s - k) / stride) + 1;
  let s = valid(size, 3, 2); // Conv2d_1a_3x3
  s = valid(s, 3, 1); // Conv2d_2a_3x3
  s = valid(s, 3, 2); // maxpool1
  s = valid(s, 3, 1); // Conv2d_4a_3x3
  s = valid(s, 3, 2); // maxpool2
  s = valid(s, 3, 2); // Mixed_6a
  return valid(s, 3, 2); // Mixed_7a
}

function conv(
  name: string,
  inChannels: number,
  outChannels: number,
  kernel: [number, number],
  stride: 1 | 2 = 1,
  padding?: 'same' | 'valid',
): InceptionConv {
  // Inside the mixed blocks every kernel larger than 1x1 is zero-padded unless it strides.
  const pad = padding ?? (kernel[0] * kernel[1] > 1 ? 'same' : 'valid');
  return { name, inChannels, outChannels, kernel, stride, padding: pad };
}
