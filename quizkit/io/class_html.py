"""The HTML report of `quizkit class --html FILE.html`: one self-contained page a teacher opens or
prints, drawn from the class's JSON (shapes/classroom.py), so that the page and `--json` always
show the same figures.

In the order a teacher needs them: a summary, the questions to rewrite (with their reasons), a
chart of every question, the score distribution, the topics to reteach, who needs help, each
choice question's options, and the reports left out. Charts are inline SVG written here (no
script, no network: the page's Content-Security-Policy allows inline styles only), each with a
title, a description and its numbers as text, and readable printed in grey: flagged questions
are hatched and marked, not only coloured. Every text from the reports (deck text, student names,
file names) is escaped, in the SVG too.
"""

from __future__ import annotations

import html
import statistics
from collections.abc import Sequence
from pathlib import Path

from quizkit.core.text import clean
from quizkit.errors import UsageError
from quizkit.io import formulas
from quizkit.io.disk import check_output, write_atomic
from quizkit.shapes.classroom import ClassJSON, ClassQuestionJSON, ClassStudentJSON, ClassTagJSON

SUFFIXES = (".html", ".htm")

CHART_ROWS = 25
"""Questions per chart: each chart is kept on one printed page, so a long exam takes several."""

BINS = 10
"""The score distribution's bars: 0-10 %, 10-20 %, ... 90-100 % (100 % in the last)."""


def check_path(path: Path) -> None:
    """Refuse, before any work, a file that is not .html or .htm, or that cannot be written."""
    if path.suffix.lower() not in SUFFIXES:
        raise UsageError(f"{path}: the HTML report's file must end in .html or .htm (e.g. --html class.html)")
    check_output(path)


def write(path: Path, data: ClassJSON) -> None:
    """The page, written all at once (a DeckError naming the file when the disk refuses)."""
    write_atomic(path, to_html(data).encode("utf-8"))


# ---------------------------------------------------------------- text


def _t(text: str) -> str:
    """Untrusted text (deck text, names, file names) for HTML and SVG, element or attribute."""
    return html.escape(clean(text), quote=True)


def _one_line(text: str) -> str:
    return _t(" ".join(text.split()))


def _deck_text(text: str) -> str:
    """A question as written: escaped, its lines kept, its formulas as MathML (io.formulas keeps
    that safe)."""
    return formulas.html_text(clean(text), lambda part: html.escape(part, quote=True).replace("\n", "<br>"))


def _pct(share: float) -> str:
    return f"{share:.0%}"


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}"


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    if minutes >= 60:
        return f"{minutes // 60}h {minutes % 60:02d}m"
    return f"{minutes}m {secs:02d}s"


def alpha_in_words(alpha: float | None) -> str:
    """What a reliability means for a class test (the usual rule of thumb)."""
    if alpha is None:
        return (
            "cannot be computed: the exam has fewer than two questions, or every student had the same total"
        )
    if alpha >= 0.9:
        return "excellent: the questions agree closely on who knows the material"
    if alpha >= 0.8:
        return "good: the total score is a dependable measure of what the class knows"
    if alpha >= 0.7:
        return "acceptable for a class test: the total is a fair measure, not a precise one"
    if alpha >= 0.6:
        return "questionable: much of a student's total is chance; rewrite the flagged questions first"
    if alpha >= 0.5:
        return "poor: the questions do not agree on who knows the material; do not rank students by it"
    return "unacceptable: the questions do not measure one thing; look at every flagged question"


def passed(student: ClassStudentJSON, pass_mark: float) -> bool:
    return student["score"] >= pass_mark


def score_bins(scores: Sequence[float]) -> list[int]:
    """How many scores fall in each tenth: [0, 0.1), [0.1, 0.2), ... [0.9, 1]."""
    counts = [0] * BINS
    for score in scores:
        counts[min(BINS - 1, max(0, int(score * BINS + 1e-9)))] += 1
    return counts


# ---------------------------------------------------------------- the page


_CSS = """
@page { size: A4; margin: 14mm 13mm 17mm;
        @bottom-center { content: "quizkit class report · page " counter(page);
                         font: 8pt system-ui, sans-serif; color: #555; } }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; box-sizing: border-box; }
body { font: 11pt/1.45 system-ui, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #111;
       background: #fff; max-width: 50em; margin: 1.5em auto; padding: 0 1em; }
@media print { body { margin: 0 auto; max-width: none; } a { color: inherit; } }
h1 { font-size: 1.6em; margin: 0 0 .1em; }
h2 { font-size: 1.25em; margin: 1.8em 0 .4em; border-bottom: 2px solid #222; padding-bottom: .1em;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 1em; margin: 0 0 .3em; break-after: avoid; }
.sub, .note, .legend { color: #444; }
.legend { font-size: .9em; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .9em;
       overflow-wrap: anywhere; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(7.5em, 1fr)); gap: .5em;
           margin: 1em 0; padding: 0; }
.figures div { border: 1px solid #999; border-radius: 4px; padding: .4em .6em; break-inside: avoid; }
.figures dt { font-size: .8em; color: #444; }
.figures dd { margin: 0; font-size: 1.35em; font-weight: 700; }
.figures dd small { display: block; font-size: .6em; font-weight: 400; color: #444; }
.warning { border-left: 4px solid #8a5a00; padding: .2em .6em; background: #fff4d6; }
.flagged { border: 1px solid #8a5a00; border-left: 6px solid #8a5a00; border-radius: 4px;
           padding: .5em .8em; margin: .8em 0; break-inside: avoid; page-break-inside: avoid; }
.flagged .mark { font-weight: 700; }
.question-text { margin: .2em 0 .4em; overflow-wrap: anywhere; }
.figs { font-size: .9em; color: #333; margin: .2em 0; }
.reasons { margin: .3em 0 0; padding-left: 1.3em; }
.chart-block { break-inside: avoid; page-break-inside: avoid; margin: .6em 0 1em; }
svg.chart { display: block; width: 100%; height: auto; max-width: 680px; }
svg text { font-family: system-ui, "DejaVu Sans", sans-serif; font-size: 11px; fill: #111; }
svg .head { font-weight: 700; }
svg .axis { fill: #444; font-size: 10px; }
svg .track { fill: #f2f2f2; stroke: #999; stroke-width: .5; }
svg .bar { fill: #3d6fb6; }
svg .bar.flagged-bar { stroke: #5b3d00; stroke-width: 1; }
svg .flag-band { fill: #fff1c9; stroke: #8a5a00; stroke-width: .6; stroke-dasharray: 3 2; }
svg .flag-icon { fill: #8a5a00; }
svg .flag-label { font-weight: 700; }
svg .guide { stroke: #777; stroke-width: .7; stroke-dasharray: 3 3; }
svg .zero { stroke: #333; stroke-width: 1; }
svg .stem { stroke: #222; stroke-width: 1.4; }
svg .mark { fill: #111; }
svg .pass { stroke: #000; stroke-width: 1.6; stroke-dasharray: 6 3; }
svg .bar.low { fill: #c8791f; }
table { border-collapse: collapse; width: 100%; margin: .4em 0; font-size: .95em; }
th, td { text-align: left; padding: .2em .45em; border-bottom: 1px solid #ccc; vertical-align: top; }
th { border-bottom: 1.5px solid #333; font-size: .9em; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.name, td.tag { overflow-wrap: anywhere; }
tr.below td.result { font-weight: 700; }
td.result, td.file { white-space: nowrap; }
th.bar-col, td.bar-col { width: 45%; }
tr.group th { background: #eee; border-bottom: 1px solid #999; padding-top: .5em; }
svg.bar-svg { display: block; width: 100%; height: 14px; }
svg.bar-svg * { vector-effect: non-scaling-stroke; }
.options-grid { display: grid; grid-template-columns: 1fr 1fr; gap: .3em 1.2em; }
@media (max-width: 40em) { .options-grid { grid-template-columns: 1fr; } }
.options-block { break-inside: avoid; page-break-inside: avoid; margin: .5em 0; }
.options-block table { font-size: .88em; }
tr.right td:first-child::before { content: "✔ "; }
tr.right td { font-weight: 700; }
.left-out li { overflow-wrap: anywhere; }
footer { margin-top: 2em; font-size: .85em; color: #555; }
"""


def to_html(data: ClassJSON) -> str:
    """The whole page (see the module's docstring)."""
    title = _t(data["deck"]["title"])
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        # Inline styles only: no script, no request of any kind, even if text got through.
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title} · class report</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        *_summary(data),
        *_rewrite(data),
        *_question_charts(data),
        *_distribution(data),
        *_topics(data),
        *_students(data),
        *_options(data),
        *_left_out(data),
        "<footer>Made by <code>quizkit class</code> from the students' exam reports. "
        "The same figures: <code>quizkit class REPORTS... --json</code>.</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(out) + "\n"


def _summary(data: ClassJSON) -> list[str]:
    students = data["per_student"]
    scores = [s["score"] for s in students]
    mark = data["pass_mark"]
    through = sum(1 for s in students if passed(s, mark))
    flagged = sum(1 for q in data["per_question"] if q["flags"])
    alpha = data["alpha"]
    seed = data["seed"]
    sub = f"Class report · deck <code>{_t(data['deck']['id'])}</code>"
    sub += f" · seed {seed}" if seed is not None else ""

    def figure(key: str, label: str, value: str, small: str = "") -> str:
        more = f"<small>{small}</small>" if small else ""
        return f'<div><dt>{label}</dt><dd id="{key}">{value}{more}</dd></div>'

    out = [
        '<section id="summary">',
        f"<h1>{_t(data['deck']['title'])}</h1>",
        f'<p class="sub">{sub}</p>',
        '<dl class="figures">',
        figure("students", "Students", str(data["students"])),
        figure("questions", "Questions", str(len(data["per_question"]))),
        figure("mean-score", "Mean score", _pct(statistics.fmean(scores)) if scores else "—"),
        figure("median-score", "Median score", _pct(statistics.median(scores)) if scores else "—"),
        figure(
            "pass-rate",
            "Pass rate",
            _pct(through / len(students)) if students else "—",
            f"{through} of {len(students)} at {_pct(mark)} or more",
        ),
        figure("alpha", "Reliability (α)", f"{alpha:.2f}" if alpha is not None else "—"),
        "</dl>",
        f'<p id="alpha-words"><b>Cronbach\'s alpha</b> '
        f"{f'{alpha:.2f}' if alpha is not None else ''}"
        f"{': ' if alpha is not None else ' '}{alpha_in_words(alpha)}. "
        "Alpha is the exam's reliability: how consistently its questions rank the students (1 at "
        "best); about 0.7 or more is usual for a class test.</p>",
        f'<p class="note">{flagged} question{"" if flagged == 1 else "s"} to rewrite · '
        f"top and bottom groups: {data['group_size']} students each (27 % of the class, by total)"
        + (
            f" · {len(data['left_out'])} report{'' if len(data['left_out']) == 1 else 's'} left out "
            '(<a href="#left-out">why</a>)'
            if data["left_out"]
            else ""
        )
        + "</p>",
    ]
    out += [f'<p class="warning note">{_t(note)}</p>' for note in data["notes"]]
    return [*out, "</section>"]


def _question_head(q: ClassQuestionJSON) -> str:
    where = f' <span class="where">· <code>{_t(q["where"])}</code></span>' if q["where"] else ""
    return f'Q{q["number"]} <span class="card">· card <code>{_t(q["card"])}</code></span>{where}'


def _question_figures(q: ClassQuestionJSON) -> str:
    return (
        f'<p class="figs">facility <span class="facility">{_pct(q["facility"])}</span> · '
        f'discrimination <span class="point-biserial">{_signed(q["point_biserial"])}</span> · '
        f'upper-lower <span class="upper-lower">{_signed(q["upper_lower"])}</span></p>'
    )


def _rewrite(data: ClassJSON) -> list[str]:
    flagged = [q for q in data["per_question"] if q["flags"]]
    out = ['<section id="rewrite">', "<h2>Questions to rewrite</h2>"]
    if not flagged:
        return [*out, "<p>No question is flagged.</p>", "</section>"]
    out.append(
        f'<p class="legend">{len(flagged)} of {len(data["per_question"])} questions look broken. '
        "Each reason says what to check; the chart below marks them with ▲ and hatching.</p>"
    )
    for q in flagged:
        out += [
            f'<article class="flagged" id="flag-q{q["number"]}">',
            f"<h3>{_question_head(q)}</h3>",
            f'<p class="question-text">{_deck_text(q["question"])}</p>',
            _question_figures(q),
            '<ul class="reasons">',
            *(f"<li>{_t(flag)}</li>" for flag in q["flags"]),
            "</ul>",
            "</article>",
        ]
    return [*out, "</section>"]


# ---------------------------------------------------------------- charts

_W = 680
_ROW = 18
_FAC_X, _FAC_W = 70, 200
_DIS_X, _DIS_W = 340, 200


def _dis_x(value: float) -> float:
    return _DIS_X + _DIS_W * (max(-1.0, min(1.0, value)) + 1) / 2


def _question_charts(data: ClassJSON) -> list[str]:
    questions = data["per_question"]
    out = [
        '<section id="every-question">',
        "<h2>Every question</h2>",
        '<p class="legend">Bars: <b>facility</b>, the share of the class that got the question right '
        "(dashed lines at 10 % and 95 %: below or above them it measures little). Stems: "
        "<b>discrimination</b>, the point-biserial correlation of the question with the rest of the "
        "score, from −1 to +1 (dashed line at +0.15: below it the question does not tell who knows the "
        "material; — where no one differed). <b>Upper-lower</b>: the facility in the top group minus "
        "the bottom group. Flagged questions are hatched, banded and marked ▲.</p>",
    ]
    for start in range(0, len(questions), CHART_ROWS):
        out.append(_question_chart(questions[start : start + CHART_ROWS], start // CHART_ROWS))
    return [*out, "</section>"]


def _question_chart(rows: Sequence[ClassQuestionJSON], index: int) -> str:
    top = 26
    height = top + _ROW * len(rows) + 26
    bottom = top + _ROW * len(rows)
    first, last = rows[0]["number"], rows[-1]["number"]
    ident = f"qchart-{index}"
    hatch = f"hatch-{index}"
    desc = "; ".join(
        f"Q{q['number']}: facility {_pct(q['facility'])}, discrimination {_signed(q['point_biserial'])}, "
        f"upper-lower {_signed(q['upper_lower'])}{', flagged' if q['flags'] else ''}"
        for q in rows
    )
    out = [
        f'<div class="chart-block"><svg class="chart questions-chart" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {_W} {height}" width="{_W}" height="{height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">Questions {first} to {last}: facility and discrimination</title>',
        f'<desc id="{ident}-desc">{_t(desc)}</desc>',
        f'<defs><pattern id="{hatch}" width="5" height="5" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="5" height="5" fill="#f0c36a"/>'
        '<line x1="0" y1="0" x2="0" y2="5" stroke="#5b3d00" stroke-width="2.4"/></pattern></defs>',
        '<text class="head" x="4" y="14">question</text>',
        f'<text class="head" x="{_FAC_X}" y="14">facility</text>',
        f'<text class="head" x="{_DIS_X}" y="14">discrimination</text>',
        f'<text class="head" x="{_W - 4}" y="14" text-anchor="end">upper-lower</text>',
    ]
    for i, q in enumerate(rows):
        y = top + i * _ROW
        flagged = bool(q["flags"])
        number = q["number"]
        label = (
            f"Q{number} (card {q['card']}): facility {_pct(q['facility'])}, discrimination "
            f"{_signed(q['point_biserial'])}, upper-lower {_signed(q['upper_lower'])}"
            + (f"; flagged: {len(q['flags'])} reason(s)" if flagged else "")
        )
        row = [f'<g class="q-row{" flagged" if flagged else ""}" data-number="{number}">']
        row.append(f"<title>{_t(label)}</title>")
        if flagged:
            row.append(f'<rect class="flag-band" x="0.5" y="{y}" width="{_W - 1}" height="{_ROW}"/>')
            row.append(f'<polygon class="flag-icon" points="{52},{y + 3} {59},{y + 15} {45},{y + 15}"/>')
        row.append(
            f'<text class="label{" flag-label" if flagged else ""}" x="4" y="{y + 13}">Q{number}</text>'
        )
        row.append(f'<rect class="track" x="{_FAC_X}" y="{y + 4}" width="{_FAC_W}" height="10"/>')
        width = round(_FAC_W * max(0.0, min(1.0, q["facility"])), 2)
        # A style, not a fill attribute: the stylesheet's .bar fill would win over an attribute.
        fill = f' style="fill:url(#{hatch})"' if flagged else ""
        row.append(
            f'<rect class="bar facility{" flagged-bar" if flagged else ""}" x="{_FAC_X}" y="{y + 4}" '
            f'width="{width}" height="10"{fill}/>'
        )
        row.append(
            f'<text class="facility" x="{_FAC_X + _FAC_W + 40}" y="{y + 13}" text-anchor="end">'
            f"{_pct(q['facility'])}</text>"
        )
        rpb = q["point_biserial"]
        zero = _dis_x(0.0)
        if rpb is not None:
            x = round(_dis_x(rpb), 2)
            row.append(f'<line class="stem" x1="{zero}" y1="{y + 9}" x2="{x}" y2="{y + 9}"/>')
            row.append(
                f'<polygon class="mark discrimination-mark" points="{x},{y + 4} {x + 5},{y + 9} '
                f'{x},{y + 14} {x - 5},{y + 9}"/>'
            )
        row.append(
            f'<text class="discrimination" x="{_DIS_X + _DIS_W + 42}" y="{y + 13}" text-anchor="end">'
            f"{_signed(rpb)}</text>"
        )
        row.append(
            f'<text class="upper-lower" x="{_W - 4}" y="{y + 13}" text-anchor="end">'
            f"{_signed(q['upper_lower'])}</text>"
        )
        out.append("".join(row) + "</g>")
    # Guides over the rows: the facility thresholds, discrimination's zero and +0.15.
    for share in (0.10, 0.95):
        x = _FAC_X + _FAC_W * share
        out.append(f'<line class="guide" x1="{x}" y1="{top - 4}" x2="{x}" y2="{bottom + 2}"/>')
    out.append(f'<line class="zero" x1="{_dis_x(0)}" y1="{top - 4}" x2="{_dis_x(0)}" y2="{bottom + 2}"/>')
    out.append(
        f'<line class="guide" x1="{_dis_x(0.15)}" y1="{top - 4}" x2="{_dis_x(0.15)}" y2="{bottom + 2}"/>'
    )
    ticks = [
        (_FAC_X, "0%", "start"),
        (_FAC_X + _FAC_W / 2, "50%", "middle"),
        (_FAC_X + _FAC_W, "100%", "end"),
    ]
    ticks += [(_dis_x(-1), "−1", "start"), (_dis_x(0), "0", "middle"), (_dis_x(1), "+1", "end")]
    out += [
        f'<text class="axis" x="{x}" y="{bottom + 16}" text-anchor="{anchor}">{text}</text>'
        for x, text, anchor in ticks
    ]
    return "\n".join(out) + "\n</svg></div>"


def _distribution(data: ClassJSON) -> list[str]:
    scores = [s["score"] for s in data["per_student"]]
    mark = data["pass_mark"]
    counts = score_bins(scores)
    most = max(counts) or 1
    x0, width, base, tall = 50, 610, 200, 150
    step = width / BINS
    labels = [f"{10 * i}–{10 * (i + 1)}%" for i in range(BINS)]
    desc = "; ".join(
        f"{label}: {n} student{'' if n == 1 else 's'}" for label, n in zip(labels, counts, strict=True)
    )
    out = [
        '<section id="distribution">',
        "<h2>Scores</h2>",
        '<div class="chart-block"><svg class="chart scores-chart" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 680 262" width="680" height="262" role="img" '
        'aria-labelledby="scores-title scores-desc">',
        f'<title id="scores-title">How many students scored in each tenth; pass mark {_pct(mark)}</title>',
        f'<desc id="scores-desc">{_t(desc)}</desc>',
        '<defs><pattern id="hatch-scores" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e9b36c"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#6b4300" stroke-width="2.6"/></pattern></defs>',
        '<text class="axis" x="4" y="14">students</text>',
    ]
    for i, count in enumerate(counts):
        h = round(tall * count / most, 2)
        x = round(x0 + i * step + 4, 2)
        below = (i + 1) / BINS <= mark + 1e-9
        fill = ' style="fill:url(#hatch-scores)"' if below else ""
        out.append(
            f'<g class="bin" data-bin="{i}"><title>{labels[i]}: {count}</title>'
            f'<rect class="bar score{" below" if below else ""}" x="{x}" y="{base - h}" '
            f'width="{round(step - 8, 2)}" height="{h}"{fill}/>'
            f'<text class="count" x="{round(x + (step - 8) / 2, 2)}" y="{base - h - 4}" '
            f'text-anchor="middle">{count}</text></g>'
        )
    out.append(f'<line class="zero" x1="{x0}" y1="{base}" x2="{x0 + width}" y2="{base}"/>')
    out += [
        f'<text class="axis" x="{round(x0 + i * step, 2)}" y="{base + 14}" '
        f'text-anchor="middle">{10 * i}%</text>'
        for i in range(BINS + 1)
    ]
    out.append(f'<text class="axis" x="{x0 + width / 2}" y="{base + 30}" text-anchor="middle">score</text>')
    px = round(x0 + width * mark, 2)
    anchor = "start" if mark < 0.5 else "end"
    nudge = 4 if mark < 0.5 else -4
    out += [
        f'<line class="pass" x1="{px}" y1="{base - tall - 24}" x2="{px}" y2="{base}"/>',
        f'<text class="pass-label head" x="{px + nudge}" y="{base - tall - 14}" text-anchor="{anchor}">'
        f"pass mark {_pct(mark)}</text>",
        '<rect x="4" y="244" width="12" height="12" fill="url(#hatch-scores)" stroke="#6b4300"/>',
        '<text class="axis" x="22" y="254">wholly below the pass mark</text>',
        "</svg></div>",
        "</section>",
    ]
    return out


def _topics(data: ClassJSON) -> list[str]:
    mark = data["pass_mark"]
    tags = data["per_tag"]
    out = [
        '<section id="topics">',
        "<h2>Topics to reteach</h2>",
        f"<p class=\"legend\">The class's mean mark on each tag's questions, weakest first; the line in "
        f"each bar is the pass mark ({_pct(mark)}).</p>",
        '<table class="topics"><thead><tr><th>topic (tag)</th><th class="num">questions</th>'
        '<th class="num">class mastery</th><th class="bar-col"></th><th></th></tr></thead><tbody>',
    ]
    out += [_topic(tag, mark) for tag in tags]
    return [*out, "</tbody></table>", "</section>"]


def _topic(tag: ClassTagJSON, mark: float) -> str:
    low = tag["mastery"] < mark
    width = round(200 * max(0.0, min(1.0, tag["mastery"])), 2)
    said = f"{tag['tag']}: class mastery {_pct(tag['mastery'])}, pass mark {_pct(mark)}"
    return (
        f'<tr class="topic{" below" if low else ""}"><td class="tag">{_t(tag["tag"])}</td>'
        f'<td class="num questions">{tag["questions"]}</td>'
        f'<td class="num mastery">{_pct(tag["mastery"])}</td>'
        f'<td class="bar-col"><svg class="bar-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 14" '
        f'preserveAspectRatio="none" role="img" aria-label="{_t(said)}"><title>{_t(said)}</title>'
        f'<rect class="track" x="0" y="1" width="200" height="12"/>'
        f'<rect class="bar mastery{" low" if low else ""}" x="0" y="1" width="{width}" height="12"/>'
        f'<line class="pass" x1="{round(200 * mark, 2)}" y1="0" x2="{round(200 * mark, 2)}" y2="14"/>'
        f"</svg></td>"
        f'<td class="result">{"reteach" if low else ""}</td></tr>'
    )


def _students(data: ClassJSON) -> list[str]:
    mark = data["pass_mark"]
    everyone = sorted(data["per_student"], key=lambda s: (s["score"], s["name"]))
    below = [s for s in everyone if not passed(s, mark)]
    above = [s for s in everyone if passed(s, mark)]
    out = [
        '<section id="who-needs-help">',
        "<h2>Who needs help</h2>",
        f'<p id="below-count">{len(below)} of {len(everyone)} students scored below the pass mark '
        f"({_pct(mark)}), weakest first, with the tags they scored below it on.</p>",
        '<table class="students"><thead><tr><th>student</th><th class="num">score</th><th>result</th>'
        '<th class="num">time</th><th>tags below the pass mark</th><th>report</th></tr></thead><tbody>',
    ]
    for heading, group in (("Below the pass mark", below), ("At or above the pass mark", above)):
        if not group:
            continue
        out.append(f'<tr class="group"><th colspan="6">{heading} ({len(group)})</th></tr>')
        for s in group:
            ok = passed(s, mark)
            out.append(
                f'<tr class="student{"" if ok else " below"}"><td class="name">{_t(s["name"])}</td>'
                f'<td class="num score">{_pct(s["score"])}</td>'
                f'<td class="result">{"passed" if ok else "below"}</td>'
                f'<td class="num time">{_duration(s["seconds"]) if s["seconds"] else "—"}</td>'
                f'<td class="weak">{_t(", ".join(s["weak_tags"])) or "—"}</td>'
                f'<td class="file"><code>{_t(Path(s["file"]).name)}</code></td></tr>'
            )
    return [*out, "</tbody></table>", "</section>"]


def _options(data: ClassJSON) -> list[str]:
    asked = [q for q in data["per_question"] if q["options"]]
    if not asked:
        return []
    group = data["group_size"]
    n = data["students"]
    out = [
        '<section id="options">',
        "<h2>Options, question by question</h2>",
        f'<p class="legend">How many students picked each option: the whole class ({n}), the top group '
        f"and the bottom group ({group} each, by total). ✔ marks the answer the exam keyed. A good "
        "distractor draws the bottom group more than the top.</p>",
        '<div class="options-grid">',
    ]
    flag = ' <span class="mark">▲ flagged</span>'
    for q in asked:
        rows = []
        for o in q["options"]:
            share = f" ({_pct(o['picked'] / n)})" if n else ""
            rows.append(
                f'<tr class="option{" right" if o["right"] else ""}">'
                f'<td class="option-name">{_t(o["option"])}</td>'
                f'<td class="num picked">{o["picked"]}{share}</td>'
                f'<td class="num top">{o["top"]}</td><td class="num bottom">{o["bottom"]}</td></tr>'
            )
        if q["kind"] in ("choice", "truefalse"):
            none = n - sum(o["picked"] for o in q["options"])
            if none > 0:
                rows.append(
                    f'<tr class="no-option"><td><em>no option picked</em></td><td class="num">{none}</td>'
                    "<td></td><td></td></tr>"
                )
        out += [
            f'<div class="options-block" id="options-q{q["number"]}">',
            f"<h3>{_question_head(q)}{flag if q['flags'] else ''}</h3>",
            f'<p class="question-text">{_deck_text(q["question"])}</p>',
            _question_figures(q),
            '<table class="options"><thead><tr><th>option</th><th class="num">picked</th>'
            '<th class="num">top</th><th class="num">bottom</th></tr></thead><tbody>',
            *rows,
            "</tbody></table>",
            "</div>",
        ]
    return [*out, "</div>", "</section>"]


def _left_out(data: ClassJSON) -> list[str]:
    out = ['<section id="left-out">', "<h2>Reports left out</h2>"]
    if not data["left_out"]:
        return [*out, "<p>None: every report was counted.</p>", "</section>"]
    out.append(
        f"<p>{len(data['left_out'])} report(s) are not in the figures above; the rest still count.</p>"
    )
    out.append('<ul class="left-out">')
    out += [f"<li><code>{_t(s['file'])}</code>: {_t(s['reason'])}</li>" for s in data["left_out"]]
    return [*out, "</ul>", "</section>"]
