"""`quizkit class REPORTS...`: a class's exam reports, read together (see core/classroom.py)."""

from __future__ import annotations

from pathlib import Path

from quizkit.app.env import Environment
from quizkit.app.library import one_deck
from quizkit.core.classroom import ClassFigures, analyse
from quizkit.io.class_reports import ClassReports, read_reports
from quizkit.shapes.classroom import ClassJSON
from quizkit.ui import words
from quizkit.ui.words import print_json


def class_report(
    env: Environment,
    paths: list[Path],
    deck: str | None = None,
    pass_mark: float | None = None,
    as_json: bool = False,
    html: Path | None = None,
) -> int:
    """Who is behind, which topics to reteach, which questions to rewrite. Exit 0; 1 only when no
    report can be read (UsageError). With `html`, the report is also written there as a page to
    open or print (the path is checked before any report is read)."""
    if html is not None:
        from quizkit.io import class_html

        class_html.check_path(html)
    reports = read_reports(paths)
    mark = (
        pass_mark if pass_mark is not None else (reports.pass_mark if reports.pass_mark is not None else 0.5)
    )
    figures = analyse(reports.items, reports.students, mark)
    lines = _card_lines(env, deck) if deck is not None else {}
    if deck is not None and not any(item.card in lines for item in reports.items):
        env.stderr.print(
            words.plain(
                f"--deck {deck} has none of this exam's cards: is it the deck the exam was drawn "
                "from? The questions are shown without their lines"
            ),
            style="yellow",
            soft_wrap=True,
        )
    data = class_json(reports, figures, lines) if as_json or html is not None else None
    if as_json and data is not None:
        print_json(env.stdout, data)
    else:
        from quizkit.ui import charts

        env.stdout.print(charts.class_report(reports.deck_title, figures, lines))
        for skipped in reports.skipped:
            env.stderr.print(words.plain(f"left out: {skipped.file}: {skipped.reason}"), soft_wrap=True)
    if html is not None and data is not None:
        from quizkit.io import class_html

        class_html.write(html, data)
        # With --json, stdout stays the JSON alone.
        (env.stderr if as_json else env.stdout).print(
            words.plain(f"class report written to {html}"), soft_wrap=True
        )
    return 0


def _card_lines(env: Environment, deck: str) -> dict[str, str]:
    """Each card's place in the deck file, "file:line", for the teacher's editor."""
    loaded = one_deck(env, deck)
    return {card.id: f"{loaded.path}:{card.line}" for card in loaded.cards}


def class_json(reports: ClassReports, figures: ClassFigures, lines: dict[str, str]) -> ClassJSON:
    def rounded(value: float) -> float:
        return round(value, 4)

    def maybe(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return {
        "deck": {"id": reports.deck_id, "title": reports.deck_title},
        "seed": reports.seed,
        "students": len(figures.students),
        "pass_mark": figures.pass_mark,
        "alpha": maybe(figures.alpha),
        "group_size": figures.group_size,
        "per_student": [
            {
                "name": s.name,
                "file": file,
                "score": rounded(s.score),
                "seconds": round(s.seconds, 1),
                "weak_tags": list(s.weak_tags),
            }
            for s, file in zip(figures.students, reports.files, strict=True)
        ],
        "per_question": [
            {
                "number": number,
                "card": f.item.card,
                "where": lines.get(f.item.card),
                "kind": f.item.kind,
                "question": f.item.question,
                "facility": rounded(f.facility),
                "point_biserial": maybe(f.point_biserial),
                "upper_lower": rounded(f.upper_lower),
                "options": [
                    {
                        "option": o.option,
                        "right": o.right,
                        "picked": o.picked,
                        "top": o.top,
                        "bottom": o.bottom,
                    }
                    for o in f.options
                ],
                "flags": list(f.flags),
            }
            for number, f in enumerate(figures.items, 1)
        ],
        "per_tag": [
            {"tag": t.tag, "questions": t.questions, "mastery": rounded(t.mastery)} for t in figures.tags
        ],
        "left_out": [{"file": s.file, "reason": s.reason} for s in reports.skipped],
        "notes": list(figures.notes),
    }
