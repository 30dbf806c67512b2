#!/usr/bin/env bash
# VNN-COMP's run_instance.sh convention: VERSION CATEGORY ONNX VNNLIB RESULT TIMEOUT.
# ONNX is the instances.csv network field, e.g. "[('f', 'onnx/a.onnx'), ('g', 'onnx/b.onnx')]"
# (relative paths are looked up next to the query and in its parent folder, the benchmark folder).
# certify vnnlib writes RESULT (sat / unsat / unknown / timeout); on bad input (exit 2) it writes
# nothing, so write "unknown" then, as the competition expects a result file.
set -u
ONNX=$3 VNNLIB=$4 RESULT=$5 TIMEOUT=$6
python -m certify vnnlib "$VNNLIB" "$ONNX" --result "$RESULT" --timeout "$TIMEOUT"
code=$?
[ "$code" -eq 2 ] || [ "$code" -eq 4 ] && echo unknown > "$RESULT"
exit 0
