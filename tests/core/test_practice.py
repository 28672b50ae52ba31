"""Luyện tình huống through the simulator: feedback with warning signs, pictures, evidence."""

from bot import texts
from scenarios.schema import SIGNS
from tests.transcript import find_listed, labels, sign_up


def safest_path(sc):
    """Choices that stay safe and reach a good end (depth-first)."""

    def walk(sid, seen):
        step = sc.steps[sid]
        if step.end:
            return [] if step.end == "good" else None
        for k, c in enumerate(step.choices):
            if c.safe and c.next not in seen:
                rest = walk(c.next, seen | {c.next})
                if rest is not None:
                    return [k, *rest]
        return None

    return walk(sc.start, {sc.start})


async def test_scenario_run_well_counts_as_evidence_and_shows_pictures(sim):
    await sign_up(sim, "p1")
    scenarios = list(sim.engine.scenarios.by_id.values())
    sc = next(s for s in scenarios if any(st.screen for st in s.steps.values()))
    listing, label = await find_listed(
        sim, "p1", await sim.press("p1", texts.BTN_PRACTICE), sc.title
    )
    replies = await sim.press("p1", label)
    pictures = [f for r in replies for f in r["files"]]
    path = safest_path(sc)
    assert path is not None
    for k in path:
        replies = await sim.press("p1", f"opt:{k}")
        pictures += [f for r in replies for f in r["files"]]
        assert replies[0]["text"].startswith("✅")
    assert any(f["kind"] == "image" and f["path"].endswith(".png") for f in pictures)
    assert any(r["text"].startswith("🌟") and sc.remember in r["text"] for r in replies)
    assert [b["label"] for b in replies[-1]["buttons"]] == [texts.BTN_PRACTICE_MORE, texts.BTN_MENU]
    rows = await sim.engine.db.conn.execute_fetchall(
        "SELECT question_id, correct, context FROM answers"
    )
    assert [tuple(r) for r in rows] == [(sc.id, 1, "scenario")]
    mastery = await sim.engine.db.conn.execute_fetchall("SELECT competency, attempts FROM mastery")
    assert {r[0] for r in mastery} == set(sc.competencies)
    listing = await sim.press("p1", texts.BTN_PRACTICE_MORE)  # the page it was on
    assert any(
        lab.endswith(f"✅ {texts.PRACTICE_KIND[sc.kind]} {sc.title}") for lab in labels(listing)
    )


async def test_an_unsafe_choice_names_the_warning_signs_and_is_not_evidence(sim):
    await sign_up(sim, "p2")
    sc = next(s for s in sim.engine.scenarios.by_id.values() if s.kind == "scam")
    _, label = await find_listed(sim, "p2", await sim.press("p2", texts.BTN_PRACTICE), sc.title)
    replies = await sim.press("p2", label)
    unsafe_seen = False
    for _ in range(20):
        step_id = (
            next(
                sid
                for sid, st in sc.steps.items()
                if st.text.split("{")[0][:15] in replies[-1]["text"]
            )
            if not unsafe_seen
            else None
        )
        step = sc.steps[step_id] if step_id else None
        if step is not None and any(not c.safe for c in step.choices):
            k = next(i for i, c in enumerate(step.choices) if not c.safe)
            replies = await sim.text("p2", str(k + 1))  # typed number works too
            assert replies[0]["text"].startswith("⚠️")
            for s in step.choices[k].signs:
                assert SIGNS[s] in replies[0]["text"]
            unsafe_seen = True
        else:
            ids = [b["id"] for b in replies[-1]["buttons"]]
            if "practice" in ids:
                break
            replies = await sim.press("p2", ids[0])
    assert unsafe_seen
    rows = await sim.engine.db.conn.execute_fetchall("SELECT correct FROM answers")
    assert [tuple(r) for r in rows] in ([], [(0,)])
