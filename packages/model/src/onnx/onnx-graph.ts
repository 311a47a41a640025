import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX's opset for the graphs we write (GroupNorm-free; every op here is in opset 17). */
export const ONNX_OPSET = 17;
const IR_VERSION = 8; // the IR version that goes with opset 17

/** An attribute: an int, ints, a string, or a float written `{ float: x }` (1.0 must not become an int). */
export type Attr = number | number[] | string | { float: number };

/** An element type of a graph input or output. */
export type OnnxDtype = 'float32' | 'int32';
const ELEM_TYPE: Record<OnnxDtype, number> = { float32: onnx.TensorProto.DataType.FLOAT, int32: onnx.TensorProto.DataType.INT32 };

/** A graph input or output: its name, element type and shape ('N' for the dynamic batch). */
export interface OnnxIo {
  name: string;
  dtype: OnnxDtype;
  shape: (number | 'N')[];
}

/**
 * A small ONNX graph builder: nodes in topological order as they are added, initializers from
 * typed arrays, and `encode()` to the protobuf bytes ONNX Runtime loads.
 */
export class OnnxGraph {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly inputs: OnnxIo[] = [];
  private readonly outputs: OnnxIo[] = [];
  private readonly int64Constants = new Map<string, string>();
  private count = 0;

  constructor(readonly name: string) {}

  /** A fresh value name. */
  fresh(hint: string): string {
    return `${hint}_${this.count++}`;
  }

  /** The graph inputs declared so far. */
  get declaredInputs(): readonly OnnxIo[] {
    return this.inputs;
  }

  input(io: OnnxIo): string {
    this.inputs.push(io);
    return io.name;
  }

  output(io: OnnxIo): void {
    this.outputs.push(io);
  }

  /** A float32 initializer. */
  floats(hint: string, values: Float32Array, dims: number[]): string {
    const name = this.fresh(hint);
    const raw = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    this.initializers.push(onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw }));
    return name;
  }

  /** An int64 initializer (shapes, axes, indices), shared between nodes that use the same values. */
  ints(values: number[]): string {
    const key = values.join(',');
    const known = this.int64Constants.get(key);
    if (known) return known;
    const name = this.fresh('i64');
    const raw = new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer);
    this.initializers.push(onnx.TensorProto.create({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: raw }));
    this.int64Constants.set(key, name);
    return name;
  }

  /** Adds a node and returns the names of its outputs. */
  node(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, outputs: number | string[] = 1): string[] {
    const names = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : outputs;
    this.nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: names, name: this.fresh(`n_${opType}`), attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) }));
    return names;
  }

  /** Adds a node with one output and returns the output's name. */
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    return this.node(opType, inputs, attrs)[0];
  }

  /** The model as protobuf bytes, ready for ONNX Runtime. */
  encode(producer = 'lowdiff-ts'): Uint8Array {
    const io = (v: OnnxIo) =>
      onnx.ValueInfoProto.create({
        name: v.name,
        type: {
          tensorType: {
            elemType: ELEM_TYPE[v.dtype],
            shape: { dim: v.shape.map((d) => (d === 'N' ? { dimParam: 'N' } : { dimValue: d })) },
          },
        },
      });
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: producer,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs.map(io),
        output: this.outputs.map(io),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function attribute(name: string, v: Attr) {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v });
  if (typeof v === 'number') return onnx.AttributeProto.create({ name, type: T.INT, i: v });
  return onnx.AttributeProto.create({ name, type: T.FLOAT, f: v.float });
}
