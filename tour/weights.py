"""Model weights and training checkpoints as safetensors (never pickle).

Exported weights are fp16 with the network width in the metadata, so `load_model` needs nothing
else. A checkpoint is a flat tensor dict plus a JSON string in the metadata: the model, the SGD
momentum buffers, the best weights so far and the history, everything a resumed run needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load, save
from torch import nn

from tour.model import ResNet18

FORMAT = "robustness-tour/resnet18"


def export_bytes(state: dict[str, torch.Tensor], width: int, model_id: str) -> bytes:
    """fp16 weights for the bundle; integer buffers (BN batch counters) are left out."""
    half = {k: v.detach().cpu().half().contiguous() for k, v in state.items() if v.is_floating_point()}
    return _canonical(save(half, metadata={"format": FORMAT, "width": str(width), "model_id": model_id}))


def model_from_bytes(data: bytes) -> nn.Module:
    """An fp32 ResNet-18 in eval mode from exported weights (fp16 values cast back to fp32)."""
    meta = _metadata(data)
    if meta.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} weights file (format {meta.get('format')!r})")
    model = ResNet18(width=int(meta["width"]))
    tensors = {k: v.float() for k, v in load(data).items()}
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    if unexpected or any(not k.endswith("num_batches_tracked") for k in missing):
        raise ValueError(f"weights do not fit a width-{meta['width']} ResNet-18: {missing or unexpected}")
    return model.eval()


def load_model(path: Path) -> nn.Module:
    """The server's entry point: an exported weights file -> fp32 model in eval mode on the CPU."""
    return model_from_bytes(Path(path).read_bytes())


def _canonical(data: bytes) -> bytes:
    """The same file with its JSON header key-sorted: safetensors writes the metadata map in a
    random order, and equal weights must give equal bytes (the manifest's sha256, resume tests)."""
    n = int.from_bytes(data[:8], "little")
    header = json.dumps(json.loads(data[8 : 8 + n]), sort_keys=True, separators=(",", ":")).encode()
    header += b" " * (-len(header) % 8)  # the format pads the header to 8 bytes with spaces
    return len(header).to_bytes(8, "little") + header + data[8 + n :]


def _metadata(data: bytes) -> dict[str, str]:
    header_len = int.from_bytes(data[:8], "little")
    meta: dict[str, str] = json.loads(data[8 : 8 + header_len]).get("__metadata__", {})
    return meta


def checkpoint_bytes(tensors: dict[str, dict[str, torch.Tensor]], meta: dict[str, Any]) -> bytes:
    """tensors: group name -> state dict (e.g. model, best, momentum); meta: JSON-able state.

    Groups may share tensors (best is model after an improving epoch); each is stored on its own.
    """
    flat = {f"{g}/{k}": v.detach().cpu().clone() for g, sd in tensors.items() for k, v in sd.items()}
    return _canonical(save(flat, metadata={"meta": json.dumps(meta)}))


def checkpoint_from_bytes(data: bytes) -> tuple[dict[str, dict[str, torch.Tensor]], dict[str, Any]]:
    groups: dict[str, dict[str, torch.Tensor]] = {}
    for key, value in load(data).items():
        group, name = key.split("/", 1)
        groups.setdefault(group, {})[name] = value
    return groups, json.loads(_metadata(data)["meta"])
