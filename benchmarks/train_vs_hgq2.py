"""hgq_hls.train against HGQ2 0.2.0 (Keras 3 on JAX), side by side on the same tasks.

Both train the same topology from random initial weights with the same epochs, batch size,
Adam learning rate and constant beta (HGQ's loss, task + beta * EBOPs), one thread each
(``../shared/reference/training_side.md`` §3: two threads on two shared cores distort by 30x).
Tasks: the digits MLP 64-32-16-10 (scikit-learn's bundled digits), the jet-tagging-shaped
16-64-32-32-5 MLP on ``make_classification`` data (fixed seed; the real jet data cannot be
downloaded here) and a digits CNN (Conv 1->4 3x3, ReLU, MaxPool 2, Linear).  Each trained model is judged by one estimator: the HGQ2 model is rebuilt as
an ``hh.Graph`` from its own quantizers (each element's k, i, f, its rounding and overflow, the
quantized kernels and biases), so ``hh.estimate`` counts LUTs and EBOPs for both by one
definition; da4ml's own LUT estimate of the HGQ2 model is printed beside it.  Exactness counts:
test outputs where the framework's forward differs from the firmware reference (``hh.predict``
of the same types), and for HGQ2 also from da4ml's ``comb.predict``.  This project's
post-training mixed precision (``hh.auto_precision`` on a float model trained alike) is run to the
LUTs of the middle-beta hgq_hls.train model, for accuracy at equal LUTs.
Ratios are hgq_hls / HGQ2 (accuracy: higher is better; LUTs, EBOPs, time: lower is better).

Run: ``pip install -e .[bench]`` then ``python benchmarks/train_vs_hgq2.py [--quick]``.
"""

from __future__ import annotations

import os

# one thread for every framework, set before any of them loads
os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402

import hgq_hls as hh  # noqa: E402
from hgq_hls.fixed import ElementTypes, Interval, to_mantissa  # noqa: E402
from hgq_hls.ir import Graph, Node, Tensor  # noqa: E402
from hgq_hls.passes import compile_graph  # noqa: E402


@dataclass
class Task:
    """One benchmark task: data, hidden layer sizes and the shared training settings."""

    name: str
    hidden: tuple
    epochs: int
    batch_size: int
    lr: float
    betas: tuple
    n_in: int = 64
    kind: str = "mlp"            # "cnn": Conv2d(1 -> hidden[0], 3x3) -> ReLU -> MaxPool 2 -> Flatten -> Linear

    def data(self):
        from sklearn.model_selection import train_test_split

        if self.name.startswith("digits"):
            from sklearn.datasets import load_digits

            d = load_digits()
            x, y = d.data / 16.0, d.target
            if self.kind == "cnn":
                x = x.reshape(-1, 1, 8, 8)
        else:
            from sklearn.datasets import make_classification

            x, y = make_classification(n_samples=30000, n_features=16, n_informative=12, n_redundant=2,
                                       n_classes=5, n_clusters_per_class=2, class_sep=1.0, random_state=0)
            x = (x - x.mean(0)) / x.std(0)
        return train_test_split(x, y, test_size=0.2, random_state=0)


TASKS = [Task("digits_mlp", (32, 16), 200, 128, 3e-3, (3e-7, 1e-6, 3e-6)),
         Task("jsc_mlp", (64, 32, 32), 60, 1024, 3e-3, (5e-7, 2e-6, 8e-6), n_in=16),
         Task("digits_cnn", (4,), 100, 128, 3e-3, (3e-7, 1e-6, 3e-6), kind="cnn")]


# ---- HGQ2 ---------------------------------------------------------------------------------
def _element_types(q, shape) -> ElementTypes:
    """An HGQ2 quantizer's per-element (k, i, f) as hgq_hls types over ``shape``."""
    k, i, f = (np.broadcast_to(np.asarray(v, dtype=np.float64).reshape(-1, *shape)[0], shape).astype(np.int64)
               for v in (q.k, q.i, q.f))
    live = k + i + f > 0
    return ElementTypes((k > 0) & live, np.where(live, k + i + f, 0), np.where(live, k + i, 0),
                        q.round_mode, q.overflow_mode)


def _constant(g: Graph, name: str, values) -> str:
    v = np.asarray(values, dtype=np.float64)
    t = Interval.from_floats(v).fixed_type()
    g.add_tensor(Tensor(name, v.shape, type=t, value=to_mantissa(v, t), declared=True))
    return name


def hgq2_graph(model, input_shape: tuple) -> Graph:
    """The HGQ2 model as an hh.Graph with its own per-element types.

    QDense, QConv2D (Keras channels-last, here channels-first: types and kernels transposed),
    MaxPooling2D and Flatten (Keras flattens height-width-channel: the next kernel's rows and
    types are permuted to channel-height-width).
    """
    g = Graph("hgq2")
    shape = (input_shape[-1], *input_shape[:-1]) if len(input_shape) == 3 else tuple(input_shape)
    g.add_tensor(Tensor("x", shape))
    g.inputs.append("x")
    src, order = "x", None               # order: each flat position's Keras (HWC) index

    def add(name, op, inputs, out_shape, **attrs):
        g.add_tensor(Tensor(name, tuple(out_shape)))
        g.add_node(Node(name, op, inputs, [name], attrs))
        return name

    for n, layer in enumerate(model.layers):
        kind = type(layer).__name__
        if kind == "MaxPooling2D":
            c, h, w = shape
            shape = (c, h // 2, w // 2)
            src = add(f"p{n}", "MaxPool", [src], shape, kernel_shape=(2, 2), strides=(2, 2), pads=(0, 0, 0, 0),
                      dilations=(1, 1))
            continue
        if kind == "Flatten":
            c, h, w = shape
            order = np.arange(h * w * c).reshape(h, w, c).transpose(2, 0, 1).reshape(-1)
            shape = (c * h * w,)
            src = add(f"f{n}", "Reshape", [src], shape, shape=shape)
            continue
        q = layer.iq.quantizer
        if kind == "QConv2D":
            c, h, w = shape
            t = _element_types(q, (h, w, c))
            types = ElementTypes(t.signed.transpose(2, 0, 1), t.width.transpose(2, 0, 1),
                                 t.integer.transpose(2, 0, 1), t.rounding, t.overflow)
            kernel = np.asarray(layer.qkernel).transpose(3, 2, 0, 1)
            kh, kw = kernel.shape[2:]
            out = (kernel.shape[0], h - kh + 1, w - kw + 1)
            op, attrs = "Conv", dict(strides=(1, 1), pads=(0, 0, 0, 0), dilations=(1, 1), group=1)
        else:
            t = _element_types(q, shape)
            kernel = np.asarray(layer.qkernel)
            if order is not None:                 # rows of a Dense after a Keras Flatten
                kernel = kernel[order]
                t = ElementTypes(t.signed[order], t.width[order], t.integer[order], t.rounding, t.overflow)
                order = None
            types, out, op, attrs = t, (layer.units,), "Dense", {}
        quantized = add(f"q{n}", "Quantize", [src], shape, type=types)
        src = add(f"l{n}", op, [quantized, _constant(g, f"w{n}", kernel), _constant(g, f"b{n}", np.asarray(layer.qbias))],
                  out, **attrs)
        shape = out
        if layer.activation.__name__ == "relu":
            src = add(f"r{n}", "Relu", [src], shape)
    g.outputs.append(src)
    return compile_graph(g)


def run_hgq2(task: Task, beta: float, data, n_classes: int) -> dict:
    import keras
    from hgq.config import LayerConfigScope, QuantizerConfig, QuantizerConfigScope
    from hgq.layers import QConv2D, QDense
    from hgq.utils import trace_minmax

    x_train, x_test, y_train, y_test = data
    if task.kind == "cnn":                            # Keras is channels-last
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    keras.utils.set_random_seed(0)
    with (QuantizerConfigScope(place="all", default_q_type="kbi", overflow_mode="SAT_SYM"),
          QuantizerConfigScope(place="datalane", default_q_type="kif", overflow_mode="WRAP"),
          LayerConfigScope(enable_ebops=True, beta0=beta)):
        first = dict(iq_conf=QuantizerConfig(place="datalane", k0=int((x_train < 0).any())))
        if task.kind == "cnn":
            layers = [keras.layers.Input((8, 8, 1)), QConv2D(task.hidden[0], 3, activation="relu", **first),
                      keras.layers.MaxPooling2D(2), keras.layers.Flatten()]
        else:
            layers = [keras.layers.Input((x_train.shape[1],))]
            for n, units in enumerate(task.hidden):
                layers.append(QDense(units, activation="relu", **(first if n == 0 else {})))
        layers.append(QDense(n_classes))
        model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(task.lr),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    start = time.perf_counter()
    model.fit(x_train.astype(np.float32), y_train, epochs=task.epochs, batch_size=task.batch_size, verbose=0)
    seconds = time.perf_counter() - start
    trace_minmax(model, x_train.astype(np.float32), verbose=0)
    out = np.asarray(model.predict(x_test.astype(np.float32), verbose=0, batch_size=4096), dtype=np.float64)
    g = hgq2_graph(model, x_train.shape[1:])
    result = dict(seconds_per_epoch=seconds / task.epochs, accuracy=float((out.argmax(1) == y_test).mean()),
                  own_ebops=int(sum(float(np.asarray(layer.ebops)) for layer in model.layers if hasattr(layer, "ebops"))))
    result.update(_judged(g, out, x_test.transpose(0, 3, 1, 2) if task.kind == "cnn" else x_test))
    try:
        from da4ml.converter import trace_model
        from da4ml.trace import comb_trace

        comb = comb_trace(*trace_model(model))
        result["da4ml_lut"] = int(round(float(comb.cost)))
        result["da4ml_mismatches"] = int(np.sum(comb.predict(x_test.astype(np.float32)) != out.astype(np.float32)))
    except Exception as exc:          # da4ml is an extra peer number, not the judge
        result["da4ml_lut"] = f"n/a ({type(exc).__name__})"
    return result


# ---- hgq_hls.train ----------------------------------------------------------------------------
def float_model(task: Task, n_classes: int):
    """The task's float network in torch, seeded, one thread."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    if task.kind == "cnn":
        c = task.hidden[0]
        return torch.nn.Sequential(torch.nn.Conv2d(1, c, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                   torch.nn.Flatten(), torch.nn.Linear(c * 9, n_classes))
    sizes, layers = (task.n_in, *task.hidden, n_classes), []
    for a, b in zip(sizes, sizes[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def run_ours(task: Task, beta: float, data, n_classes: int) -> dict:
    import torch

    import hgq_hls.train as ht

    x_train, x_test, y_train, y_test = data
    qm = ht.quantize(float_model(task, n_classes), torch.tensor(x_train[:2048]))
    start = time.perf_counter()
    ht.fit(qm, (x_train, y_train), epochs=task.epochs, batch_size=task.batch_size, lr=task.lr, beta=beta,
           estimate_backend=None, progress=False)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        out = qm(torch.tensor(x_test)).numpy()
    result = dict(seconds_per_epoch=seconds / task.epochs, accuracy=float((out.argmax(1) == y_test).mean()),
                  own_ebops=int(ht.ebops(qm).detach()))
    result.update(_judged(ht.to_graph(qm), out, x_test))
    return result


# ---- this project's post-training mixed precision, at the trained model's LUTs -----------------
def run_post_training(task: Task, data, n_classes: int, lut_budget: int) -> dict:
    """A float model trained the same way, then ``hh.auto_precision`` to ``lut_budget`` LUTs."""
    import torch

    from hgq_hls.frontend.onnx.builder import ModelBuilder

    x_train, x_test, y_train, y_test = data
    model = float_model(task, n_classes).to(torch.float64)
    optimizer = torch.optim.Adam(model.parameters(), lr=task.lr)
    x, y = torch.tensor(x_train), torch.tensor(y_train)
    for _ in range(task.epochs):
        for idx in torch.randperm(len(x)).split(task.batch_size):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
            optimizer.step()
    b, h = ModelBuilder("float_model"), "x"
    for n, layer in enumerate(model):
        if isinstance(layer, torch.nn.Conv2d):
            h = b.node("Conv", [h, b.const(layer.weight.detach().numpy().astype(np.float32)),
                                b.const(layer.bias.detach().numpy().astype(np.float32))], kernel_shape=[3, 3])
        elif isinstance(layer, torch.nn.MaxPool2d):
            h = b.node("MaxPool", [h], kernel_shape=[2, 2], strides=[2, 2])
        elif isinstance(layer, torch.nn.Flatten):
            h = b.node("Flatten", [h], axis=1)
        elif isinstance(layer, torch.nn.ReLU):
            h = b.node("Relu", [h])
        else:
            h = b.node("Add", [b.node("MatMul", [h, b.const(layer.weight.detach().numpy().T.astype(np.float32))]),
                               b.const(layer.bias.detach().numpy().astype(np.float32))])
    g_float = hh.load_onnx(b.build({"x": ["N", *x_train.shape[1:]]}, h))
    start = time.perf_counter()
    typed, _ = hh.auto_precision(g_float, x_train[:512], bits=range(2, 9), budget={"lut": int(lut_budget)})
    out = hh.predict(typed, x_test)
    return dict(accuracy=float((out.argmax(1) == y_test).mean()), lut=hh.estimate(typed).lut,
                float_accuracy=float((hh.predict(g_float, x_test).argmax(1) == y_test).mean()),
                seconds=time.perf_counter() - start)


def _judged(g: Graph, out: np.ndarray, x_test) -> dict:
    """One judge for both: hh.estimate's LUTs and EBOPs, and mismatches against hh.predict."""
    report = hh.estimate(g)
    return dict(lut=report.lut, ebops=report.ebops, mismatches=int(np.sum(hh.predict(g, x_test) != out)),
                outputs=int(out.size))


def at_equal_luts(points: list, lut: float) -> float | None:
    """Accuracy of a front of (LUT, accuracy) points at ``lut`` (linear in log LUT), None outside it."""
    points = sorted(points)
    for (l0, a0), (l1, a1) in zip(points, points[1:]):
        if l0 <= lut <= l1:
            return a0 + (a1 - a0) * (np.log(lut) - np.log(l0)) / (np.log(l1) - np.log(l0)) if l1 > l0 else max(a0, a1)
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the epochs, the middle beta only (time ratios then mostly measure one-time JIT and import costs)")
    parser.add_argument("--task", choices=[t.name for t in TASKS], action="append")
    args = parser.parse_args(argv)
    for task in TASKS:
        if args.task and task.name not in args.task:
            continue
        betas = task.betas
        if args.quick:
            task, betas = dataclasses.replace(task, epochs=max(2, task.epochs // 10)), task.betas[1:2]
        data = task.data()
        n_classes = int(np.max(data[2])) + 1
        print(f"\n{task.name}: {task.epochs} epochs, batch {task.batch_size}, Adam lr {task.lr}, 1 thread")
        print(f"  {'':14}{'beta':>8}{'accuracy':>9}{'LUT (hh)':>10}{'EBOPs (hh)':>11}{'own EBOPs':>10}{'s/epoch':>9}"
              f"{'mismatch':>14}   peer")
        fronts, times = {"HGQ2": [], "ours": []}, {"HGQ2": [], "ours": []}
        for beta in betas:
            theirs, ours = run_hgq2(task, beta, data, n_classes), run_ours(task, beta, data, n_classes)
            for key, name, r in (("HGQ2", "HGQ2 0.2.0", theirs), ("ours", "hgq_hls.train", ours)):
                fronts[key].append((r["lut"], r["accuracy"]))
                times[key].append(r["seconds_per_epoch"])
                peer = f"da4ml {r['da4ml_lut']} LUT, {r.get('da4ml_mismatches', '-')} mismatches" if "da4ml_lut" in r else ""
                print(f"  {name:14}{beta:>8.0e}{r['accuracy']:>9.3f}{r['lut']:>10,}{r['ebops']:>11,}{r['own_ebops']:>10,}"
                      f"{r['seconds_per_epoch']:>9.3f}{r['mismatches']:>7}/{r['outputs']:<6} {peer}")
            print(f"  {'ratio':14}{'':>8}{ours['accuracy'] / theirs['accuracy']:>9.3f}{ours['lut'] / theirs['lut']:>10.3f}"
                  f"{ours['ebops'] / theirs['ebops']:>11.3f}{'':>10}{ours['seconds_per_epoch'] / theirs['seconds_per_epoch']:>9.2f}")
        print(f"  time per epoch, hgq_hls/HGQ2: {np.mean(times['ours']) / np.mean(times['HGQ2']):.2f}")
        middle = sorted(fronts["ours"])[len(fronts["ours"]) // 2]
        ptq = run_post_training(task, data, n_classes, middle[0])
        print(f"  post-training (hh.auto_precision on a float model trained alike, float accuracy "
              f"{ptq['float_accuracy']:.3f}) to {middle[0]:,} LUT: accuracy {ptq['accuracy']:.3f} at "
              f"{ptq['lut']:,} LUT ({ptq['seconds']:.0f} s search); hgq_hls.train {middle[1]:.3f}: "
              f"accuracy ratio {middle[1] / ptq['accuracy']:.3f}")
        for lut, acc in sorted(fronts["ours"]):
            peer = at_equal_luts(fronts["HGQ2"], lut)
            if peer is not None:
                print(f"  at {lut:,} LUT: hgq_hls {acc:.3f}, HGQ2 {peer:.3f} (interpolated on its front): "
                      f"accuracy ratio {acc / peer:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
