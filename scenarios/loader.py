"""Load scenarios from `scenarios/**/*.yaml`, reporting every error with its file and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from lessons.loader import ContentError, ContentIssue, _pydantic_issues, _read_yaml
from scenarios.schema import Scenario

SCENARIO_DIR = Path(__file__).resolve().parent


@dataclass
class Scenarios:
    by_id: dict[str, Scenario] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)  # id -> file, for error messages


def load_scenarios(
    root: Path | str | None = None, competencies: dict[str, str] | None = None
) -> Scenarios:
    """Scenarios by id, ordered; `competencies` (id -> area) checks their tags when given."""
    root = Path(root) if root else SCENARIO_DIR
    issues: list[ContentIssue] = []
    found: dict[str, Scenario] = {}
    paths: dict[str, str] = {}
    for path in sorted(root.rglob("*.yaml")):
        rel = str(path.relative_to(root.parent))
        data = _read_yaml(path, root, issues)
        if data is None:
            continue
        try:
            sc = Scenario.model_validate(data)
        except ValidationError as exc:
            issues.extend(_pydantic_issues(rel, exc))
            continue
        if sc.id in found:
            issues.append(ContentIssue(rel, "id", f"trùng với tình huống ở {paths[sc.id]}"))
            continue
        for j, comp in enumerate(sc.competencies):
            if competencies is not None and competencies.get(comp) != sc.area:
                issues.append(
                    ContentIssue(
                        rel, f"competencies.{j}", f"kỹ năng '{comp}' không thuộc vùng '{sc.area}'"
                    )
                )
        found[sc.id] = sc
        paths[sc.id] = rel
    if issues:
        raise ContentError(issues)
    ordered = sorted(found.values(), key=lambda s: (s.kind != "scam", s.order, s.id))
    return Scenarios({s.id: s for s in ordered}, paths)
