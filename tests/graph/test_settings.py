"""Every setting is documented in the README, exactly as the code describes it."""

from __future__ import annotations

import re
from pathlib import Path

from graph.settings import Settings, settings_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_settings_table_is_the_generated_one():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- settings-table:.*?-->\n(.*?)\n<!-- /settings-table -->", text, re.S)
    assert block, "README lost its settings table markers"
    assert block.group(1) == settings_table(), "regenerate it with: python -m graph.settings"


def test_every_setting_has_a_description():
    assert all(f.description for f in Settings.model_fields.values())


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("YRDQ_STORE", "neo4j")
    monkeypatch.setenv("YRDQ_AS_OF", "2020-01-01")
    s = Settings()
    assert (s.store, s.as_of) == ("neo4j", "2020-01-01")
