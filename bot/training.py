"""Trains the model only when what it is trained from has changed.

The model's name is a hash of its inputs, so a second `make run` finds the model it needs and
starts in seconds, and a changed rule or example can never be served by a stale model.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bot/safety and bot/understanding are not inputs: the NLU components that use them are not
# trained, and read that code when the model is loaded, so a change there needs no retraining.
INPUTS = ("config.yml", "domain.yml", "data", "bot/nlu", "bot/spacy_pipeline.py",
          "services_directory/boroughs.py")
MODELS = ROOT / "models"


def content_hash(root: Path = ROOT, inputs: tuple[str, ...] = INPUTS) -> str:
    digest = hashlib.sha256()
    for name in inputs:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.suffix in {".pyc"} or "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def model_path(root: Path = ROOT) -> Path:
    return root / "models" / f"signpost-{content_hash(root)}.tar.gz"


def ensure_model(root: Path = ROOT) -> Path:
    target = model_path(root)
    if target.exists():
        print(f"model up to date: {target.relative_to(root)}")
        return target
    print(f"training {target.name} (data or config changed)")
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--fixed-model-name", target.name[:-7],
         "--out", str(target.parent), "--quiet"],
        cwd=root, check=True,
    )
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["ensure", "path"])
    args = parser.parse_args(argv)
    if args.command == "path":
        print(model_path())
    else:
        ensure_model()


if __name__ == "__main__":
    main()
