"""PyTorch models ↔ certify networks, exactly (extra ``torch``).

A PyTorch file is read only when it carries the model's computation graph:

* a TorchScript file (``torch.jit.save(torch.jit.script(model) or torch.jit.trace(…), path)``,
  any extension; recognised by its ``code/`` folder), loaded with ``torch.jit.load``, which
  runs TorchScript, never Python;
* a ``torch.export`` file (``torch.export.save(torch.export.export(model, args), "m.pt2")``);
* in Python, a live ``nn.Module`` (``from_module``): an ``nn.Sequential`` of exactly the
  accepted module types is read directly; any other module is exported with
  ``torch.export`` (an example input of the first Linear's width) and its graph is read.

The graph is walked from output to input (``opchain.chain_of``): only Linear, ReLU, Flatten,
Identity, Dropout (eval) and BatchNorm1d (eval; folded exactly, refused if its scale is
irrational) are accepted, and anything else — Sigmoid, LeakyReLU, Softmax, a residual add —
is refused naming the operator.  In-place writes off the path are refused too.

A bare **state dict** (``torch.save(model.state_dict(), path)``) holds weights, not the
architecture: no activations, no skip connections, no final ReLU.  Reading it as
Linear/ReLU layers could give a different function, so it is refused, unless the caller
states the assumption (``assume_sequential=True``; ``--assume-sequential`` on the command
line), which then reads it as nn.Sequential(Linear, ReLU, …, Linear) — a ReLU between
consecutive Linear layers and none after the last — and records the assumption in
``metadata["assumed"]``, which every command prints.  State dicts are read with
``torch.load(weights_only=True)`` (tensors only, no code); whole pickled modules are refused.

Tensors are taken as their exact binary values (bfloat16 and float16 widen exactly).
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import warnings
import zipfile
from typing import Any, Callable, Mapping

from ..kernel.exact import InputError
from ..network import Network
from .arrays import network_from_arrays
from .opchain import GraphNode, Op, Ref, chain_of, chain_path, network_from_ops

__all__ = ["load_torch", "from_module", "from_state_dict", "from_script", "from_exported", "STATE_DICT_REFUSED",
           "ASSUMED"]

ASSUMED = "read as nn.Sequential(Linear, ReLU, …, Linear): a ReLU between consecutive Linear layers, none " \
          "after the last (--assume-sequential; a state dict does not record its architecture)"
STATE_DICT_REFUSED = ("is a bare state dict: it holds weights but not the architecture (activations, skip "
                      "connections, a final ReLU), so reading it as Linear/ReLU layers could be a different "
                      "function; save the model with torch.jit.save(torch.jit.script(model), path) or "
                      "torch.export.save(...) (.pt2), or export ONNX, or pass --assume-sequential "
                      "(Python: assume_sequential=True) to read it as nn.Sequential(Linear, ReLU, …, Linear)")


def require_torch(path: str):
    try:
        import torch
    except ImportError:
        raise InputError(path, "PyTorch support needs the optional package torch: pip install 'certify[torch]' "
                               "(CPU build: pip install torch --index-url https://download.pytorch.org/whl/cpu)"
                         ) from None
    return torch


def _numpy(tensor: Any, torch, where: str):
    if not isinstance(tensor, torch.Tensor):
        raise InputError(where, f"expected a tensor, got {type(tensor).__name__}")
    t = tensor.detach().cpu()
    if t.dtype in (torch.bfloat16, torch.float16):
        t = t.to(torch.float32)  # exact: float32 holds every bfloat16/float16 value
    if not (t.dtype.is_floating_point or t.dtype in (torch.int8, torch.int16, torch.int32, torch.int64,
                                                     torch.uint8)):
        raise InputError(where, f"unsupported tensor dtype {t.dtype}")
    return t.numpy()


def _constant(value: Any, torch, where: str) -> Any:
    """A graph constant as plain data: tensors as numpy arrays (exact), others unchanged."""
    return _numpy(value, torch, where) if isinstance(value, torch.Tensor) else value


# --------------------------------------------------------------------------- live modules

def _sequential_ops(module: Any, torch, path: str) -> list[Op] | None:
    """The chain of a plain ``nn.Sequential`` whose modules are all of the accepted types
    (exactly those classes: a subclass may override ``forward``); None if it is not one."""
    nn = torch.nn
    plain = {nn.Linear: "linear", nn.ReLU: "relu", nn.Identity: "identity", nn.Flatten: "flatten",
             nn.Dropout: "dropout", nn.BatchNorm1d: "batch_norm"}

    def flat(m, prefix):
        if type(m) is nn.Sequential:
            for key, child in m.named_children():
                yield from flat(child, f"{prefix}.{key}" if prefix else key)
        else:
            yield prefix or type(m).__name__, m

    if type(module) is not nn.Sequential:
        return None
    ops = []
    for key, m in flat(module, ""):
        kind = plain.get(type(m))
        if kind is None or m._forward_hooks or m._forward_pre_hooks:
            return None  # not a plain chain: read the graph instead
        where = f"{path}: module {key!r} ({type(m).__name__})"
        args: tuple = ()
        if kind == "linear":
            args = (_numpy(m.weight, torch, where), None if m.bias is None else _numpy(m.bias, torch, where))
        elif kind == "flatten":
            args = (m.start_dim, m.end_dim)
        elif kind == "dropout":
            args = (m.p, m.training)
        elif kind == "batch_norm":
            num = (lambda t, what: None if t is None else _numpy(t, torch, f"{where}: {what}"))
            args = (num(m.weight, "weight"), num(m.bias, "bias"), num(m.running_mean, "running_mean"),
                    num(m.running_var, "running_var"), bool(m.training or not m.track_running_stats),
                    m.momentum, m.eps)
        node = GraphNode(key, kind, (Ref("x"),) + args, where)
        ops.append(chain_of([node], "x", key)[0])
    return ops


def from_module(module: Any, path: str = "<module>") -> Network:
    """An exact Network from a live ``nn.Module``, a ``ScriptModule`` or an ``ExportedProgram``."""
    torch = require_torch(path)
    if isinstance(module, torch.export.ExportedProgram):
        return from_exported(module, path)
    if isinstance(module, torch.jit.ScriptModule):
        return from_script(module, path)
    if not isinstance(module, torch.nn.Module):
        raise InputError(path, f"expected a torch.nn.Module, got {type(module).__name__}")
    ops = _sequential_ops(module, torch, path)
    if ops is not None:
        return network_from_ops(ops, path, f"PyTorch module {type(module).__name__}",
                                {"imported_from": "torch-module"})
    first = next((m for m in module.modules() if isinstance(m, torch.nn.Linear)), None)
    if first is None:
        raise InputError(path, "no nn.Linear layer found")
    example = torch.zeros(2, first.in_features, dtype=first.weight.dtype)
    try:
        exported = torch.export.export(module, (example,))
    except Exception as e:  # noqa: BLE001 — data-dependent control flow, a wrong input width …
        detail = " ".join(str(e).split())[:160] or type(e).__name__
        raise InputError(path, f"cannot trace the module's graph with torch.export on an input of width "
                               f"{first.in_features} ({detail})") from None
    net = from_exported(exported, path)
    return Network(net.net, None, f"PyTorch module {type(module).__name__}", {"imported_from": "torch-module"})


# --------------------------------------------------------------------------- torch.export

def _op_name(target: Any) -> str:
    """aten.linear.default → "linear"; relu_ stays "relu_" (handled as relu on the path)."""
    name = getattr(target, "__name__", None) or str(target)
    schema = getattr(target, "_schema", None)
    if schema is not None:
        name = schema.name
    name = name.split("::")[-1]
    return {"_native_batch_norm_legit_no_training": "batch_norm_no_training", "relu_": "relu"}.get(name, name)


def from_exported(program: Any, path: str = "<ExportedProgram>") -> Network:
    """Read the graph of a ``torch.export.ExportedProgram`` (see the module docstring)."""
    torch = require_torch(path)
    sig = program.graph_signature
    if getattr(sig, "buffers_to_mutate", None) or getattr(sig, "user_inputs_to_mutate", None):
        raise InputError(path, "the exported program writes to its buffers or inputs (a module in training "
                               "mode?): call model.eval() before torch.export")
    if len(sig.user_inputs) != 1 or len(sig.user_outputs) != 1:
        raise InputError(path, f"expected one input and one output, found {len(sig.user_inputs)} and "
                               f"{len(sig.user_outputs)}")
    named = {**sig.inputs_to_parameters, **sig.inputs_to_buffers,
             **getattr(sig, "inputs_to_lifted_tensor_constants", {})}
    values = {**program.state_dict, **program.constants}
    nodes: list[GraphNode] = []
    constants: dict[str, Any] = {}
    for n in program.graph.nodes:
        where = f"{path}: node {n.name!r}"
        stack = n.meta.get("nn_module_stack") or {}
        if stack:  # the innermost module that emitted the node: "module '1' (Sigmoid)"
            key, kind = list(stack.values())[-1]
            if key:
                where = f"{path}: module {key!r} ({str(getattr(kind, '__name__', kind)).rsplit('.', 1)[-1]})"
        if n.op == "placeholder" and n.name in named:
            constants[n.name] = _constant(values[named[n.name]], torch, f"{path}: {named[n.name]}")
        elif n.op == "call_function":
            def operand(a):
                if isinstance(a, torch.fx.Node):
                    return constants[a.name] if a.name in constants else Ref(a.name)
                return a
            if n.kwargs:
                raise InputError(where, f"operator {_op_name(n.target)!r} with keyword operands is not supported")
            op, operands = _op_name(n.target), tuple(operand(a) for a in n.args)
            if op == "getitem" and operands[1:] == (0,):  # the first output of a batch norm
                op = "identity"
                operands = operands[:1]
            if op == "batch_norm_no_training":  # (x, weight, bias, mean, var, momentum, eps)
                op, operands = "batch_norm", operands[:5] + (False,) + operands[5:]
            nodes.append(GraphNode(n.name, op, operands, f"{where} ({_op_name(n.target)})"))
        elif n.op == "get_attr":
            raise InputError(where, "get_attr nodes are not supported")
    output = sig.user_outputs[0]
    ops = chain_of(nodes, sig.user_inputs[0], output)
    return network_from_ops(ops, path, f"torch.export program {os.path.basename(path)}",
                            {"imported_from": "torch-export", "file": os.path.basename(path)})


# --------------------------------------------------------------------------- TorchScript

_ALLOWED_PRIMS = {"prim::Constant", "prim::GetAttr", "prim::If", "prim::Loop", "prim::RaiseException",
                  "prim::ListConstruct", "prim::TupleConstruct", "prim::Uninitialized", "prim::device",
                  "prim::dtype", "prim::unchecked_cast", "prim::NumToTensor"}


def from_script(module: Any, path: str = "<ScriptModule>") -> Network:
    """Read the inlined graph of a TorchScript module (see the module docstring)."""
    torch = require_torch(path)
    graph = module.inlined_graph
    inputs = list(graph.inputs())
    if len(inputs) != 2:
        raise InputError(path, f"expected forward(self, x) with one input, found {len(inputs) - 1}")
    self_value, x = inputs
    returns = list(graph.outputs())
    if len(returns) != 1:
        raise InputError(path, f"expected one output, found {len(returns)}")

    attrs: dict[Any, Any] = {self_value: module}

    def value_of(v) -> tuple[bool, Any]:
        """(is it a constant?, its value)."""
        node = v.node()
        if node.kind() == "prim::Constant":
            return True, v.toIValue()
        if node.kind() == "prim::GetAttr":
            ok, parent = value_of(node.input()) if node.input() not in attrs else (True, attrs[node.input()])
            if ok:
                return True, getattr(parent, node.s("name"))
        return False, None

    def operand(v, where):
        if v is x:
            return Ref("input")
        ok, value = value_of(v)
        if ok:
            return _constant(value, torch, where)
        return Ref(v.debugName())

    nodes: list[GraphNode] = []
    for n in graph.nodes():
        kind = n.kind()
        if kind.startswith("aten::") and n.outputs():
            out = list(n.outputs())
            where = f"{path}: {kind} (%{out[0].debugName()})"
            if len(out) == 1:
                nodes.append(GraphNode(out[0].debugName(), _op_name(kind), tuple(operand(v, where) for v in n.inputs()),
                                       where))
        elif kind.startswith("prim::") and len(list(n.outputs())) == 1 and kind not in ("prim::Constant",
                                                                                          "prim::GetAttr"):
            out = next(iter(n.outputs()))
            where = f"{path}: {kind} (%{out.debugName()})"
            nodes.append(GraphNode(out.debugName(), kind, tuple(operand(v, where) for v in n.inputs()), where))
    chain = chain_path(nodes, "input", "input" if returns[0] is x else returns[0].debugName())
    _refuse_side_effects(graph, value_of, path, {node.output for node in chain})
    ops = chain_of(chain, "input", chain[-1].output) if chain else []
    return network_from_ops(ops, path, f"TorchScript module {os.path.basename(path)}",
                            {"imported_from": "torchscript", "file": os.path.basename(path)})


def _refuse_side_effects(graph, value_of, path: str, path_outputs: set[str]) -> None:
    """Refuse in-place writes off the chain (they could change a value on it), SetAttr and
    unknown primitives; branches of an ``if`` whose condition is a constant (``self.training``)
    are checked only when taken."""
    def scan(block_nodes):
        for n in block_nodes:
            kind = n.kind()
            if kind == "prim::If":
                ok, cond = value_of(n.input())
                blocks = list(n.blocks())
                for b in ([blocks[0 if cond else 1]] if ok and isinstance(cond, bool) else blocks):
                    scan(b.nodes())
                continue
            for b in n.blocks():
                scan(b.nodes())
            outputs = [o.debugName() for o in n.outputs()]
            if kind.startswith("prim::") and kind not in _ALLOWED_PRIMS:
                raise InputError(f"{path}: {kind}", "unsupported TorchScript primitive")
            if kind.startswith("aten::") and "!" in str(n.schema()) and not set(outputs) & path_outputs:
                raise InputError(f"{path}: {kind}", "in-place write off the network's chain (certify cannot "
                                                    "follow it)")
    scan(graph.nodes())


# --------------------------------------------------------------------------- state dicts

def from_state_dict(state: Mapping[str, Any], path: str = "<state_dict>", assume_sequential: bool = False) -> Network:
    """Layers from ``<prefix>.weight``/``<prefix>.bias`` keys, ReLU between consecutive ones —
    only with ``assume_sequential=True`` (see the module docstring)."""
    if not assume_sequential:
        raise InputError(path, STATE_DICT_REFUSED)
    torch = require_torch(path)
    groups: dict[str, dict[str, Any]] = {}
    for key, value in state.items():
        if not isinstance(key, str) or "." not in key and key not in ("weight", "bias"):
            raise InputError(f"{path}: {key!r}", "unexpected key (expected <layer>.weight and <layer>.bias)")
        prefix, _, leaf = key.rpartition(".")
        if leaf not in ("weight", "bias"):
            raise InputError(f"{path}: {key}", "not a Linear parameter (certify imports Linear/ReLU "
                                               "Sequentials only)")
        groups.setdefault(prefix, {})[leaf] = value
    if not groups:
        raise InputError(path, "empty state dict")
    pairs, names = [], []
    for prefix, params in groups.items():
        label = f"{prefix}." if prefix else ""
        if "weight" not in params:
            raise InputError(f"{path}: {label}bias", "has no matching weight")
        w = _numpy(params["weight"], torch, f"{path}: {label}weight")
        if w.ndim != 2:
            raise InputError(f"{path}: {label}weight", f"expected a 2-D Linear weight, got shape {list(w.shape)}")
        b = _numpy(params["bias"], torch, f"{path}: {label}bias") if "bias" in params else None
        if b is not None and b.ndim != 1:
            raise InputError(f"{path}: {label}bias", f"expected a 1-D bias, got shape {list(b.shape)}")
        pairs.append((w, b))
        names.append((f"{label}weight", f"{label}bias"))
    return network_from_arrays(pairs, path=path, names=names,
                              source=f"PyTorch state dict {os.path.basename(path)}",
                              metadata={"imported_from": "torch-state-dict", "file": os.path.basename(path),
                                        "assumed": ASSUMED})


# --------------------------------------------------------------------------- files

def _is_torchscript(name: str) -> bool:
    try:
        with zipfile.ZipFile(name) as z:
            return any("/code/" in f or f.startswith("code/") for f in z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, EOFError):
        return False


def _read_failure(name: str, what: str, e: Exception) -> InputError:
    if isinstance(e, InputError):
        return e
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(e))
    detail = re.search(r"WeightsUnpickler error:\s*(.+)", text, re.S)
    text = (detail.group(1) if detail else text).split("Check the documentation")[0]
    text = " ".join(text.split())[:120] or type(e).__name__
    return InputError(name, f"cannot read as {what} ({text})")


@contextlib.contextmanager
def _quiet():
    """torch logs and warns on stderr while it reads a damaged file; certify says one line."""
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logging.disable(previous)


def _survives(load: Callable[[], Any], name: str) -> None:
    """Run ``load`` once in a forked child first: torch's C++ readers abort the whole process
    (``std::terminate``, SIGABRT) on some damaged archives, which no ``except`` can catch.  A
    child killed by a signal makes the file bad input; without ``fork`` (Windows) this is skipped."""
    if not hasattr(os, "fork"):
        return
    pid = os.fork()
    if pid == 0:  # the child: silence, try, report by exit status only
        code = 1
        try:
            import faulthandler
            faulthandler.disable()  # an abort here is the expected outcome, not a report
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            with _quiet():
                load()
            code = 0
        except BaseException:  # noqa: BLE001 — a Python exception is reported again by the parent
            code = 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        raise InputError(name, f"damaged PyTorch archive: torch's reader aborted on it (signal "
                               f"{os.WTERMSIG(status)})")


def load_torch(path: str | os.PathLike, assume_sequential: bool = False) -> Network:
    """Read a TorchScript file, a ``torch.export`` file (.pt2) or — with ``assume_sequential``
    only — a state dict (see the module docstring)."""
    name = os.fspath(path)
    torch = require_torch(name)
    if not os.path.exists(name):
        raise InputError(name, "no such file")
    if os.path.isdir(name):
        raise InputError(name, "is a directory, expected a .pt/.pth/.pt2 file")
    if name.lower().endswith(".pt2"):
        try:
            _survives(lambda: torch.export.load(name), name)
            with _quiet():
                program = torch.export.load(name)
        except Exception as e:  # noqa: BLE001 — any failure to read a user's bytes is bad input
            raise _read_failure(name, "a torch.export program", e) from None
        return from_exported(program, name)
    if _is_torchscript(name):
        try:
            _survives(lambda: torch.jit.load(name, map_location="cpu"), name)
            with _quiet():
                module = torch.jit.load(name, map_location="cpu")
        except Exception as e:  # noqa: BLE001
            raise _read_failure(name, "a TorchScript module", e) from None
        return from_script(module, name)
    try:
        _survives(lambda: torch.load(name, map_location="cpu", weights_only=True), name)
        with _quiet():
            obj = torch.load(name, map_location="cpu", weights_only=True)
    except Exception as e:  # UnpicklingError, RuntimeError (not a zip/pickle), EOFError …
        if "unsupported global" in str(e).lower():
            raise InputError(name, "holds more than tensors (a pickled module?); unpickling objects runs "
                                   "code, so certify does not: save it with torch.jit.save(torch.jit.script(model)) "
                                   "or torch.export.save, or use certify.io.torch.from_module in Python") from None
        raise _read_failure(name, "a PyTorch file", e) from None
    if isinstance(obj, Mapping):
        for key in ("state_dict", "model_state_dict"):
            if isinstance(obj.get(key), Mapping):
                obj = obj[key]
                break
    if not isinstance(obj, Mapping):
        raise InputError(name, f"expected a TorchScript module, a torch.export program or a state dict, found "
                               f"{type(obj).__name__}")
    return from_state_dict(obj, name, assume_sequential)
