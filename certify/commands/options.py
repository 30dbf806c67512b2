"""The options every command shares, each with one meaning, and the one way to print an answer.

* ``--certificate FILE`` writes the kernel-checked certificate and nothing else.
* A command's artifact has its own option: ``--witness`` (hidden: the network θ'; fiber: a
  folder of sample points θ' with their certificates), ``--out`` (prune: the pruned network;
  plot: the picture; batch/survey: the results; fiber --family: the records, JSON lines;
  its picture is ``--plot``),
  ``--counterexample`` (equiv: the point x).  Two outputs naming one file are refused,
  and every output path is checked before the work starts.
* ``--timeout S`` is always the total wall time of the command; nested proofs have
  ``--nested-timeout``.
* ``--budget N`` states its unit in each command's help.
* ``--inputs POINTS`` is the sample X of input points at which DF_X is taken (fdim, survey).
* Neurons are ``[l, j]`` everywhere (text, JSON, pictures, certificates): hidden layer l
  counted from 0 (the output of the network's first layer is hidden layer 0), neuron j
  counted from 0 within it.
* ``--json`` prints exactly one JSON object on every exit, errors included.

Command modules import nothing heavy at the top: engines load inside ``run``, so
``certify --version`` and ``certify check`` start fast.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any, Callable

NET_HELP = "network file: .json (certify.network/1), .onnx, .nnet, .npz, .pt/.pth/.pt2 (PyTorch)"


def add_json(p: argparse.ArgumentParser, what: str = "the verdict, exit code, domain, theorem, evidence "
             "and timings") -> None:
    p.add_argument("--json", action="store_true",
                   help=f"print one JSON object with {what} (also on errors: exit_code and error)")


def add_box(p: argparse.ArgumentParser, default: str = "the networks' own domain, else R^d0") -> None:
    p.add_argument("--box", metavar="LO:HI[,LO:HI...]",
                   help="input box, one LO:HI per input (one interval is used for every input); "
                        "rationals or decimals, e.g. --box -1:1,0:1/2; or a VNN-LIB property file whose "
                        f"input bounds are used (--box prop_1.vnnlib).  Default: {default}")


def add_timeout(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timeout", type=float, metavar="S",
                   help="total wall time in seconds; past it the answer is undecided (exit 3) and says what it "
                        "had found")


def add_nested_timeout(p: argparse.ArgumentParser, default: float = 30.0) -> None:
    p.add_argument("--nested-timeout", type=float, default=default, metavar="S",
                   help=f"seconds for nested region-tree sign proofs (default {default:g}; 0: interval bounds "
                        "only); always within --timeout")


def add_inputs(p: argparse.ArgumentParser, where: str = "") -> None:
    p.add_argument("--inputs", metavar="POINTS", help="the sample X of input points at which DF_X is taken"
                   f"{where}: a .npy n × d array or a .json list of points (numbers exact; floats as the binary "
                   "numbers they are)")


def add_certificate(p: argparse.ArgumentParser) -> None:
    p.add_argument("--certificate", metavar="FILE", help="write the kernel-checked certificate (JSON) here")


def add_budget(p: argparse.ArgumentParser, unit: str, default: str) -> None:
    p.add_argument("--budget", type=int, metavar="N", help=f"at most N {unit} (default {default}); past it "
                   "the answer is undecided")


def add_seed(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--seed", type=int, default=0, help=f"seed of {what} (default 0)")


def add_assume(p: argparse.ArgumentParser) -> None:
    p.add_argument("--assume-sequential", action="store_true",
                   help="read PyTorch state dicts as nn.Sequential(Linear, ReLU, …, Linear); a state dict does "
                        "not record its architecture, so without this option it is refused")


def load(path: str, args: argparse.Namespace | None = None):
    """Read a network in any supported format; an assumption the reader made is printed."""
    from ..io import load_any
    assume = bool(getattr(args, "assume_sequential", False))
    network = load_any(path, assume_sequential=True) if assume else load_any(path)
    assumed = (network.metadata or {}).get("assumed")
    if assumed:
        print(f"certify: note: {path}: {assumed}", file=sys.stderr)
    import dataclasses
    return dataclasses.replace(network, file=path)


# --------------------------------------------------------------------------- outputs

@dataclass
class Output:
    """One file a command may write: the option that names it and how to write it."""

    option: str
    path: str | None
    what: str
    write: Callable[[Any, str], bool]  # (answer, path) -> written?
    extensions: tuple[str, ...] | None = (".json",)


def prepare(outputs: list[Output]) -> list[Output]:
    """Check every output path before the work starts; refuse two outputs to one file."""
    from ..core.files import distinct_outputs, output_path
    distinct_outputs({o.option: o.path for o in outputs})
    for o in outputs:
        if o.path:
            output_path(o.path, o.option, o.extensions)
    return outputs


def certificate_output(args: argparse.Namespace) -> Output:
    def write(answer, path: str) -> bool:
        if answer.certificate is None or not answer.certified:
            print(f"certify: no certificate written to {path}: the answer is not certified", file=sys.stderr)
            return False
        from ..core.files import write_atomic
        write_atomic(path, answer.certificate)
        return True
    return Output("--certificate", getattr(args, "certificate", None), "certificate", write)


def artifact_output(option: str, path: str | None, name: str, what: str,
                    extensions: tuple[str, ...] = (".json", ".onnx", ".nnet", ".npz")) -> Output:
    """An artifact network of the answer (``answer.artifacts[name]``), written in the format of
    its extension."""
    def write(answer, target: str) -> bool:
        network = answer.artifacts.get(name)
        if network is None:
            print(f"certify: nothing written to {target}: the answer has no {what}", file=sys.stderr)
            return False
        network.save(target)
        return True
    return Output(option, path, what, write, extensions)


def emit(answer, args: argparse.Namespace, outputs: list[Output] = (), extra_lines: list[str] | None = None) -> int:
    """Write the outputs, print the answer (text or one JSON object), return the exit code."""
    written = {o.what: o.path for o in outputs if o.path and o.write(answer, o.path)}
    if getattr(args, "json", False):
        from ..core.files import dumps
        obj = answer.to_json()
        if written:
            obj["files"] = written
        print(dumps(obj))
        return answer.code
    print(answer.summary)
    print(f"  verdict:  {answer.verdict} (exit {answer.code})")
    if answer.domain is not None:
        print(f"  domain:   {answer.domain.text()}")
    print(f"  method:   {answer.method}")
    if answer.theorem and answer.theorem != "none":
        print(f"  theorem:  {answer.theorem}")
    if answer.kernel is not None:
        state = "certificate valid" if answer.kernel.valid else f"REJECTED: {answer.kernel.reason}"
        print(f"  kernel:   {state} ({answer.timings.get('kernel', 0):.3f} s; "
              f"generated in {answer.timings.get('generate', 0):.3f} s)")
    for line in extra_lines or []:
        print(f"  {line}")
    for what, path in written.items():
        print(f"  written:  {path} ({what})")
    return answer.code


def activity(label: str):
    """A progress line for a long question (on a terminal, after one second)."""
    from ..apps.progress import Activity
    return Activity(label)
