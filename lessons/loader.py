"""Load and cross-check lesson content from YAML files.

Layout: one folder per skill area, holding `_area.yaml` (the area and its competencies) and one
file per lesson. Every error names the file and the field, so staff can fix content without
reading code.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from lessons.schema import ALL_AREAS, NATIONAL_AREAS, Area, Lesson, Question

CONTENT_DIR = Path(__file__).resolve().parent

#: libyaml's parser where PyYAML was built with it (the wheels are): the same safe constructor,
#: about 15x faster on the content files, so workers and the content check start sooner.
SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class ContentIssue:
    path: str
    where: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}: {self.where}: {self.message}"
            if self.where
            else f"{self.path}: {self.message}"
        )


class ContentError(Exception):
    """Raised when content cannot be used; carries every issue found, not just the first."""

    def __init__(self, issues: list[ContentIssue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass
class Content:
    areas: dict[str, Area]
    lessons: dict[str, Lesson]
    sources: dict[str, str] = field(default_factory=dict)  # lesson id -> file path
    questions: dict[str, tuple[Lesson, Question]] = field(default_factory=dict)
    competency_area: dict[str, str] = field(default_factory=dict)
    competency_questions: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for area in self.areas.values():
            for comp in area.competencies:
                self.competency_area[comp.id] = area.id
                self.competency_questions.setdefault(comp.id, [])
        for lesson in self.lessons.values():
            for q in lesson.questions:
                self.questions[q.id] = (lesson, q)
                for c in q.competencies:
                    self.competency_questions.setdefault(c, []).append(q.id)

    @property
    def national_areas(self) -> list[Area]:
        return [self.areas[a] for a in NATIONAL_AREAS if a in self.areas]

    def ordered_areas(self) -> list[Area]:
        return sorted(self.areas.values(), key=lambda a: a.order)

    def visible(self, lesson: Lesson, units: Iterable[str]) -> bool:
        """Locality packs are shown only to learners of the named province or commune."""
        return not lesson.localities or bool(set(lesson.localities) & set(units))

    def lessons_in(self, area: str, units: Iterable[str] = ()) -> list[Lesson]:
        units = tuple(units)
        found = [le for le in self.lessons.values() if le.area == area and self.visible(le, units)]
        return sorted(found, key=lambda le: (le.order, le.id))

    def teaches(self, lesson: Lesson) -> set[str]:
        """The competencies a lesson teaches: tagged on at least half of its questions (a
        question tagged with another competency on the side is practice, not teaching)."""
        tags: dict[str, int] = {}
        for q in lesson.questions:
            for c in set(q.competencies):
                tags[c] = tags.get(c, 0) + 1
        return {c for c, n in tags.items() if 2 * n >= len(lesson.questions)}

    def competencies_in(self, area: str, units: Iterable[str] = ()) -> list[str]:
        """Competencies of an area that this learner can actually learn: taught by a lesson
        shown at their place (what an area's mastery needs; see bot/core/mastery.py)."""
        if area not in self.areas:
            return []
        reachable = {c for le in self.lessons_in(area, units) for c in self.teaches(le)}
        return [c.id for c in self.areas[area].competencies if c.id in reachable]

    def competency_name(self, comp_id: str) -> str:
        area = self.areas[self.competency_area[comp_id]]
        return next(c.name for c in area.competencies if c.id == comp_id)


def _pydantic_issues(path: str, exc: ValidationError) -> list[ContentIssue]:
    out = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "trường không được phép (viết sai tên trường?)"
        elif err["type"] == "missing":
            msg = "thiếu trường bắt buộc"
        out.append(ContentIssue(path, where, msg))
    return out


def _read_yaml(path: Path, root: Path, issues: list[ContentIssue]) -> object | None:
    rel = str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=SAFE_LOADER)
    except UnicodeDecodeError:
        issues.append(ContentIssue(rel, "", "tệp không phải UTF-8"))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}" if mark else ""
        issues.append(ContentIssue(rel, where, f"YAML sai cú pháp: {getattr(exc, 'problem', exc)}"))
        return None
    if not isinstance(data, dict):
        issues.append(ContentIssue(rel, "", "tệp phải là một bảng khóa: giá trị (mapping)"))
        return None
    return data


def load_content(root: Path | str | None = None) -> Content:
    """Load every area and lesson under `root`, or raise ContentError listing all problems."""
    root = Path(root) if root else CONTENT_DIR
    issues: list[ContentIssue] = []

    def rel(p: Path) -> str:
        return str(p.relative_to(root.parent))

    areas: dict[str, Area] = {}
    lessons: dict[str, Lesson] = {}
    lesson_paths: dict[str, str] = {}
    broken: set[str] = set()
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    for folder in folders:
        if folder.name not in ALL_AREAS:
            continue
        area_file = folder / "_area.yaml"
        if not area_file.exists():
            issues.append(ContentIssue(rel(folder), "", "thiếu tệp _area.yaml"))
            continue
        data = _read_yaml(area_file, root, issues)
        if data is not None:
            try:
                area = Area.model_validate(data)
            except ValidationError as exc:
                issues.extend(_pydantic_issues(rel(area_file), exc))
            else:
                if area.id != folder.name:
                    issues.append(
                        ContentIssue(
                            rel(area_file), "id", f"phải trùng tên thư mục '{folder.name}'"
                        )
                    )
                areas[area.id] = area
        for path in sorted(folder.rglob("*.yaml")):
            if path.name.startswith("_"):
                continue
            data = _read_yaml(path, root, issues)
            if data is None:
                continue
            try:
                lesson = Lesson.model_validate(data)
            except ValidationError as exc:
                issues.extend(_pydantic_issues(rel(path), exc))
                if isinstance(data.get("id"), str):
                    broken.add(data["id"])  # already reported: not "missing" for lessons needing it
                continue
            if lesson.area != folder.name:
                issues.append(
                    ContentIssue(
                        rel(path), "area", f"phải là '{folder.name}' (theo thư mục chứa tệp)"
                    )
                )
            if lesson.id in lessons:
                issues.append(
                    ContentIssue(rel(path), "id", f"trùng với bài ở {lesson_paths[lesson.id]}")
                )
                continue
            lessons[lesson.id] = lesson
            lesson_paths[lesson.id] = rel(path)

    issues.extend(_cross_check(areas, lessons, lesson_paths, broken))
    if issues:
        raise ContentError(issues)
    ordered = dict(
        sorted(lessons.items(), key=lambda kv: (areas[kv[1].area].order, kv[1].order, kv[0]))
    )
    return Content(areas=areas, lessons=ordered, sources=lesson_paths)


def _cross_check(
    areas: dict[str, Area], lessons: dict[str, Lesson], paths: dict[str, str], broken: set[str]
) -> list[ContentIssue]:
    issues: list[ContentIssue] = []
    comp_area: dict[str, str] = {}
    for area in areas.values():
        for comp in area.competencies:
            if comp.id in comp_area:
                issues.append(
                    ContentIssue(
                        f"lessons/{area.id}/_area.yaml",
                        "competencies",
                        f"kỹ năng '{comp.id}' đã khai báo ở vùng '{comp_area[comp.id]}'",
                    )
                )
            comp_area[comp.id] = area.id
    seen_questions: dict[str, str] = {}
    for lesson in lessons.values():
        path = paths[lesson.id]
        if lesson.checked > dt.date.today():
            issues.append(ContentIssue(path, "checked", "ngày kiểm tra ở tương lai"))
        for i, q in enumerate(lesson.questions):
            if q.id in seen_questions:
                issues.append(
                    ContentIssue(
                        path, f"questions.{i}.id", f"trùng mã câu hỏi với {seen_questions[q.id]}"
                    )
                )
            seen_questions[q.id] = path
            for j, c in enumerate(q.competencies):
                if c not in comp_area:
                    issues.append(
                        ContentIssue(
                            path, f"questions.{i}.competencies.{j}", f"kỹ năng '{c}' chưa khai báo"
                        )
                    )
                elif comp_area[c] != lesson.area:
                    issues.append(
                        ContentIssue(
                            path,
                            f"questions.{i}.competencies.{j}",
                            f"kỹ năng '{c}' thuộc vùng '{comp_area[c]}', không phải '{lesson.area}'",
                        )
                    )
        for j, req in enumerate(lesson.requires):
            if req not in lessons and req not in broken:
                issues.append(ContentIssue(path, f"requires.{j}", f"không có bài '{req}'"))
    issues.extend(_cycles(lessons, paths))
    return issues


def _cycles(lessons: dict[str, Lesson], paths: dict[str, str]) -> list[ContentIssue]:
    """Prerequisite loops would make a lesson unreachable forever."""
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on stack, 2 done
    issues = []

    def visit(lid: str, trail: list[str]) -> None:
        state[lid] = 1
        for req in lessons[lid].requires:
            if req not in lessons:
                continue
            if state[req] == 1:
                loop = " → ".join([*trail[trail.index(req) :], req]) if req in trail else req
                issues.append(
                    ContentIssue(paths[lid], "requires", f"bài học phụ thuộc vòng tròn: {loop}")
                )
            elif state[req] == 0:
                visit(req, [*trail, req])
        state[lid] = 2

    for lid in lessons:
        if state[lid] == 0:
            visit(lid, [lid])
    return issues
