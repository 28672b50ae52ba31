"""Copies of the shipped content to break on purpose in tests."""

import shutil
from pathlib import Path

import yaml


def copy_tree(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return dest


def edit(root: Path, rel: str, change) -> None:
    """Load a YAML file, let `change` mutate it, write it back."""
    path = root / rel
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
