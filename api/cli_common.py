"""What every ``yrdq`` subcommand module shares: settings from the common flags, JSON output."""

from __future__ import annotations

import argparse
import json

from pydantic import BaseModel

from graph.settings import Settings


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with ``--store`` / ``--data-dir`` on top."""
    overrides = {k: v for k, v in (("store", args.store), ("data_dir", args.data_dir)) if v}
    return Settings(**overrides)


def print_json(model: BaseModel) -> None:
    """The model as the API would return it, indented for people."""
    print(json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=2))
