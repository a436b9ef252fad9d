from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from service.catalog import ARCHETYPE_IDS, PUSHBACK_CODES, load_catalog
from service.config import REPO_ROOT
from service.errors import CatalogError

PROMPTS = REPO_ROOT / "prompts"


def test_catalog_has_the_contract_ids() -> None:
    catalog = load_catalog(PROMPTS)
    assert sorted(catalog.archetypes) == sorted(ARCHETYPE_IDS)
    assert sorted(catalog.rubric.pushback_order) == sorted(PUSHBACK_CODES)
    for archetype in catalog.archetypes.values():
        assert len(archetype.probes) >= 3
    # The seed's probe comes first.
    assert catalog.archetype("killed_own_project").probes[0].startswith("Tell me about a project you killed")


def _break(tmp_path: Path, filename: str, mutate: object) -> Path:
    shutil.copytree(PROMPTS, tmp_path / "prompts")
    path = tmp_path / "prompts" / filename
    data = yaml.safe_load(path.read_text())
    mutate(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data))
    return tmp_path / "prompts"


@pytest.mark.parametrize(
    ("filename", "mutate", "message"),
    [
        (
            "archetypes.yaml",
            lambda d: d["archetypes"][2]["trap"].update(code="ask_nothing"),
            "not a pushback code",
        ),
        ("archetypes.yaml", lambda d: d["archetypes"][0].pop("probes"), "archetypes.0.probes"),
        ("archetypes.yaml", lambda d: d["archetypes"].pop(), "exactly the eight"),
        ("archetypes.yaml", lambda d: d["archetypes"][1].update(id="killed_project"), "archetypes.1.id"),
        ("rubric.yaml", lambda d: d["parts"][0].pop("met"), "parts.0.met"),
        ("rubric.yaml", lambda d: d["pushbacks"].pop(), "pushbacks must list every code"),
        ("rubric.yaml", lambda d: d.update(speaking_words_per_minute=0), "speaking_words_per_minute"),
        ("rubric.yaml", lambda d: d["scoring_bullets"].pop(), "scoring_bullets"),
    ],
)
def test_broken_catalog_names_the_file_and_field(
    tmp_path: Path, filename: str, mutate: object, message: str
) -> None:
    prompts = _break(tmp_path, filename, mutate)
    with pytest.raises(CatalogError) as info:
        load_catalog(prompts)
    assert filename in str(info.value)
    assert message in str(info.value)


def test_unparsable_yaml_is_a_clear_error(tmp_path: Path) -> None:
    shutil.copytree(PROMPTS, tmp_path / "prompts")
    (tmp_path / "prompts" / "rubric.yaml").write_text("parts: [unclosed\n")
    with pytest.raises(CatalogError, match=r"rubric\.yaml: not valid YAML"):
        load_catalog(tmp_path / "prompts")


def test_unknown_archetype_lists_the_known_ones() -> None:
    with pytest.raises(CatalogError, match=r"unknown archetype 'nope'.*contested_decision"):
        load_catalog(PROMPTS).archetype("nope")
