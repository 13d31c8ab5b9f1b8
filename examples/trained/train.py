"""Trains the small MLPs of examples/trained/ deterministically and writes the fixtures.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy onnx safetensors
    /tmp/venv/bin/python examples/trained/train.py

Three networks 2 → 8 → 8 → 1 (tanh, GELU, ReLU) fit y = sin(x₁) + ½·x₂ on [−1, 1]², trained
with full-batch gradient descent from a fixed seed in float64 and stored as float32. Each is
written as `.npz` (names W1, b1, …), `.safetensors` (PyTorch's names fc1.weight, fc1.bias, …)
and `.onnx` (layer 1 a Gemm with transB = 1 as PyTorch exports nn.Linear, layer 2 MatMul + Add,
layer 3 a Gemm with transB = 0; GELU written as the Erf pattern x·½·(1 + erf(x/√2))).
`points.npz` holds the data points x0, x1, x2 of the walkthrough.
"""

import math
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import save_file

HERE = pathlib.Path(__file__).parent
SIZES = [2, 8, 8, 1]


def act(name, z):
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    erf = np.vectorize(math.erf)
    return 0.5 * z * (1.0 + erf(z / math.sqrt(2.0)))


def dact(name, z):
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(z.dtype)
    erf = np.vectorize(math.erf)
    return 0.5 * (1.0 + erf(z / math.sqrt(2.0))) + z * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def train(name, seed=7, steps=1500, lr=0.1):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(256, 2))
    Y = (np.sin(X[:, 0]) + 0.5 * X[:, 1])[:, None]
    Ws = [rng.normal(0, 1 / math.sqrt(i), size=(o, i)) for i, o in zip(SIZES, SIZES[1:])]
    bs = [rng.normal(0, 0.1, size=o) for o in SIZES[1:]]
    for _ in range(steps):
        hs, zs = [X], []
        for k, (W, b) in enumerate(zip(Ws, bs)):
            z = hs[-1] @ W.T + b
            zs.append(z)
            hs.append(act(name, z) if k < len(Ws) - 1 else z)
        g = 2 * (hs[-1] - Y) / len(X)
        for k in reversed(range(len(Ws))):
            if k < len(Ws) - 1:
                g = g * dact(name, zs[k])
            gW, gb = g.T @ hs[k], g.sum(0)
            g = g @ Ws[k]
            Ws[k] -= lr * gW
            bs[k] -= lr * gb
    loss = float(np.mean((hs[-1] - Y) ** 2))
    print(f"{name}: final loss {loss:.5f}")
    return [W.astype(np.float32) for W in Ws], [b.astype(np.float32) for b in bs]


def onnx_model(name, Ws, bs):
    inits, nodes = [], []
    inits.append(numpy_helper.from_array(Ws[0], "fc1.weight"))
    inits.append(numpy_helper.from_array(bs[0], "fc1.bias"))
    nodes.append(helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["z1"], name="fc1", transB=1))
    inits.append(numpy_helper.from_array(np.ascontiguousarray(Ws[1].T), "fc2.kernel"))
    inits.append(numpy_helper.from_array(bs[1], "fc2.bias"))
    inits.append(numpy_helper.from_array(np.ascontiguousarray(Ws[2].T), "fc3.kernel"))
    inits.append(numpy_helper.from_array(bs[2], "fc3.bias"))

    def activation(src, dst, tag):
        if name == "tanh":
            nodes.append(helper.make_node("Tanh", [src], [dst], name=f"act{tag}"))
        elif name == "relu":
            nodes.append(helper.make_node("Relu", [src], [dst], name=f"act{tag}"))
        else:
            # GELU as PyTorch's exporter writes it before opset 20.
            sqrt2 = numpy_helper.from_array(np.array(math.sqrt(2.0), dtype=np.float32), f"sqrt2_{tag}")
            one = numpy_helper.from_array(np.array(1.0, dtype=np.float32), f"one_{tag}")
            half = numpy_helper.from_array(np.array(0.5, dtype=np.float32), f"half_{tag}")
            inits.extend([sqrt2, one, half])
            nodes.append(helper.make_node("Div", [src, f"sqrt2_{tag}"], [f"d{tag}"], name=f"div{tag}"))
            nodes.append(helper.make_node("Erf", [f"d{tag}"], [f"e{tag}"], name=f"erf{tag}"))
            nodes.append(helper.make_node("Add", [f"e{tag}", f"one_{tag}"], [f"p{tag}"], name=f"add{tag}"))
            nodes.append(helper.make_node("Mul", [src, f"p{tag}"], [f"g{tag}"], name=f"mul{tag}"))
            nodes.append(helper.make_node("Mul", [f"g{tag}", f"half_{tag}"], [dst], name=f"half{tag}"))

    activation("z1", "h1", "1")
    nodes.append(helper.make_node("MatMul", ["h1", "fc2.kernel"], ["m2"], name="fc2"))
    nodes.append(helper.make_node("Add", ["m2", "fc2.bias"], ["z2"], name="fc2_bias"))
    activation("z2", "h2", "2")
    nodes.append(helper.make_node("Gemm", ["h2", "fc3.kernel", "fc3.bias"], ["output"], name="fc3"))
    graph = helper.make_graph(
        nodes,
        f"mlp_{name}",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 2])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="taylornet-train")
    onnx.checker.check_model(model)
    return model


def main():
    for name in ["tanh", "gelu", "relu"]:
        Ws, bs = train(name)
        np.savez(HERE / f"mlp_{name}.npz", **{f"W{k + 1}": W for k, W in enumerate(Ws)}, **{f"b{k + 1}": b for k, b in enumerate(bs)})
        save_file(
            {**{f"fc{k + 1}.weight": W for k, W in enumerate(Ws)}, **{f"fc{k + 1}.bias": b for k, b in enumerate(bs)}},
            str(HERE / f"mlp_{name}.safetensors"),
        )
        onnx.save(onnx_model(name, Ws, bs), str(HERE / f"mlp_{name}.onnx"))
    np.savez(
        HERE / "points.npz",
        x0=np.array([0.5, -0.25]),
        x1=np.array([-0.75, 0.5]),
        x2=np.array([0.1, 0.9]),
    )


if __name__ == "__main__":
    main()
