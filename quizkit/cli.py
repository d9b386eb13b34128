"""The command line: options, then one call into `app`. Errors become messages and exit codes."""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from quizkit import __version__

if TYPE_CHECKING:
    from quizkit.app.env import Environment
    from quizkit.model import Kind, SelfGraded

# --help lists commands by what people come to do, not in the order they are defined.
COMMAND_ORDER = (
    "review", "due", "exam-date", "stats", "cards",
    "quiz", "exam-pack", "history", "class", "cram",
    "new", "add", "validate", "show", "import", "export",
    "doctor", "suspend", "unsuspend",
)  # fmt: skip


class _Commands(typer.core.TyperGroup):
    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        names = super().list_commands(ctx)
        rank = {name: index for index, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda name: rank.get(name, len(rank)))


app = typer.Typer(
    cls=_Commands,
    name="quizkit",
    help="Flashcards and quizzes in the terminal, scheduled with FSRS. Without a command: the dashboard.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

TagOption = Annotated[
    list[str] | None, typer.Option("--tag", "-t", metavar="TAG", help="Only cards with this tag.")
]
DeckArgument = Annotated[
    Path | None,
    typer.Argument(metavar="DECK", help="Deck id or file (default: the bundled deck).", show_default=False),
]
DecksArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        metavar="DECK...",
        help="Deck ids, files or folders (default: every known deck).",
        show_default=False,
    ),
]


_DB_BEFORE = "quizkit.db_before_the_command"
"""Where root() keeps a --db given before the command, for the command's own --db (see _db)."""


def _db(ctx: typer.Context, param: typer.CallbackParam, value: Path | None) -> Path | None:
    """`quizkit --db FILE review` means `quizkit review --db FILE`: a --db after the command wins,
    and either wins over QUIZKIT_DB."""
    if ctx.parent is None:  # quizkit's own --db: root() keeps it for the command
        return value
    before: Path | None = ctx.find_root().meta.get(_DB_BEFORE)
    given_here = getattr(ctx.get_parameter_source(param.name or "db"), "name", None) == "COMMANDLINE"
    return before if before is not None and not given_here else value


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="QUIZKIT_DB",
        metavar="FILE",
        show_envvar=False,
        callback=_db,
        help="Progress database file [env: QUIZKIT_DB].",
    ),
]


PlainOption = Annotated[
    bool,
    typer.Option(
        "--plain",
        envvar="QUIZKIT_PLAIN",
        help="For screen readers: no boxes, no cursor movement, every part labelled in words "
        "[env: QUIZKIT_PLAIN=1].",
    ),
]


def _run(work: Callable[..., int], db: Path | None = None, *, plain: bool = False) -> None:
    """Build the environment, run one use case, and turn QuizkitError into a message."""
    import os

    from quizkit.app.env import Environment
    from quizkit.errors import DeckError, ExitStatus, QuizkitError, UsageError

    env = None
    try:
        if db is not None and db.name in ("", ".", ".."):  # --db '' is Path('.'): a folder
            raise UsageError(f"--db needs a database file, not {str(db)!r}: such as --db ~/progress.db")
        env = Environment.from_system(db=db, now=os.environ.get("QUIZKIT_NOW"), plain=plain)
        try:
            code = work(env)
        finally:
            for warning in env.store_warnings():  # the review's status line showed them as they came
                _print_warning(env, warning)
    except DeckError as error:
        from quizkit.ui import render

        assert env is not None
        for problem in error.problems:
            env.stderr.print(render.problem(problem), soft_wrap=True)
        raise typer.Exit(ExitStatus.ERROR) from None
    except UsageError as error:
        _print_error(env, str(error))
        raise typer.Exit(ExitStatus.USAGE) from None
    except QuizkitError as error:
        _print_error(env, str(error))
        raise typer.Exit(ExitStatus.ERROR) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    raise typer.Exit(code)


def _print_warning(env: "Environment", message: str) -> None:
    from rich.text import Text

    env.stderr.print(Text("warning: ", style="yellow") + Text(message), soft_wrap=True)


def _print_error(env: object, message: str) -> None:
    from rich.console import Console
    from rich.text import Text

    console = getattr(env, "stderr", None) or Console(stderr=True)
    console.print(Text("error: ", style="bold red") + Text(message), soft_wrap=True)


MAX_SEED = 2**63 - 1
"""Seeds are kept in the database with the exam, as SQLite integers (64 bits)."""

EXAM_YEARS = 10
"""--exam-date is at most this many years from today: the load is projected day by day until it."""


def _seed(value: int | None) -> int | None:
    """--seed: a whole number from 0 to MAX_SEED, checked before an exam is drawn (it is saved)."""
    if value is not None and not 0 <= value <= MAX_SEED:
        raise typer.BadParameter(f"{value} is out of range; a seed is a whole number from 0 to 2**63 - 1")
    return value


def _percent(value: float | None) -> float | None:
    """--pass: a number from 0 to 100 (the range check lets nan through)."""
    if value is not None and not 0 <= value <= 100:
        raise typer.BadParameter(f"{value} is not a percentage; give a number from 0 to 100, e.g. 70")
    return value


KindsOption = Annotated[
    str | None,
    typer.Option("--kinds", metavar="KIND,...", help="Only these kinds, e.g. choice,typed,order."),
]
TimeOption = Annotated[
    str | None, typer.Option("--time", metavar="DURATION", help="Time limit, e.g. 15m or 1h30m.")
]
PassOption = Annotated[
    float | None,
    typer.Option("--pass", min=0, max=100, callback=_percent, metavar="PERCENT", help="Pass mark, e.g. 70."),
]
SeedOption = Annotated[
    int | None, typer.Option("--seed", callback=_seed, metavar="S", help="Draw the same exam again.")
]
FeedbackOption = Annotated[
    str | None,
    typer.Option(
        "--feedback",
        metavar="end|immediate",
        help="Show answers at the end or after each one [default: end].",
        show_default=False,
    ),
]
SelfGradedOption = Annotated[
    str | None,
    typer.Option(
        "--self-graded",
        metavar="ask|choice|skip",
        help="Basic cards: mark your own answer (default), multiple choice, or leave them out.",
        show_default=False,
    ),
]


def _exam_options(
    feedback: str | None, self_graded: str | None, kinds: str | None
) -> "tuple[SelfGraded | None, list[Kind]]":
    """--feedback checked, --self-graded and --kinds read, for quiz and exam-pack."""
    from quizkit.errors import UsageError
    from quizkit.model import Kind, SelfGraded

    if feedback is not None and feedback not in ("end", "immediate"):
        raise UsageError("--feedback is end or immediate")
    try:
        asked = SelfGraded(self_graded) if self_graded is not None else None
    except ValueError:
        raise UsageError("--self-graded is ask, choice or skip") from None
    try:
        wanted = [Kind(k.strip()) for k in kinds.split(",") if k.strip()] if kinds else []
    except ValueError:
        raise UsageError(f"--kinds: use {', '.join(k.value for k in Kind)}") from None
    return asked, wanted


def _exam_date(value: datetime | None) -> datetime | None:
    """--exam-date: within EXAM_YEARS of today (QUIZKIT_NOW's day when it is set and valid)."""
    if value is None:
        return None
    import os
    from datetime import UTC, timedelta

    from quizkit.app.env import parse_now
    from quizkit.errors import UsageError

    today = datetime.now(UTC).date()
    if now := os.environ.get("QUIZKIT_NOW"):
        try:
            today = parse_now(now).date()
        except UsageError:
            pass  # reported when the command starts
    span = timedelta(days=365 * EXAM_YEARS + EXAM_YEARS // 4)
    if not today - span <= value.date() <= today + span:
        raise typer.BadParameter(
            f"{value.date()} is not within {EXAM_YEARS} years of today ({today}); give the date of the exam"
        )
    return value


def _version(value: bool) -> None:
    if value:
        typer.echo(f"quizkit {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Flashcards and quizzes in the terminal, scheduled with FSRS.

    Decks are TOML files; progress is kept in a local SQLite database. Without a command,
    quizkit shows the dashboard: every known deck with what is due today, today's progress,
    the streak and the command to run next.

    Example: quizkit validate decks/
    """
    if ctx.invoked_subcommand is None:
        from quizkit.app import stats as use

        _run(use.dashboard, db)
    elif getattr(ctx.get_parameter_source("db"), "name", None) == "COMMANDLINE":
        ctx.meta[_DB_BEFORE] = db  # the command's own --db takes it (see _db)


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH...",
            help="Deck ids, files or folders (default: the bundled decks).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat warnings as errors (exit 1), e.g. in a teacher's CI.")
    ] = False,
) -> None:
    """Check deck files and report every problem with its file, line and card.

    Warns about content too: duplicate questions, answers that stand out by length, typed answers
    too long to type, cloze deletions that give each other away, missing explanations or tags,
    and test-wise patterns (true/false mostly one way, a distractor never right, a question that
    gives another card's answer away...; see docs/deck-format.md).

    Example: quizkit validate decks/ my-deck.toml
    """
    from quizkit.app import checks as use

    _run(lambda env: use.validate(env, paths or [], as_json, strict))


@app.command()
def show(
    deck: DeckArgument = None,
    tag: TagOption = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", "-k", metavar="KIND", help="Only cards of this kind.")
    ] = None,
) -> None:
    """Print a deck as a table of its cards, to proofread it.

    Example: quizkit show taliban-pakistan --tag dates
    """
    from quizkit.app import checks as use
    from quizkit.errors import UsageError
    from quizkit.model import Kind

    def work(env: object) -> int:
        try:
            kinds = [Kind(k) for k in kind or []]
        except ValueError:
            raise UsageError(f"unknown kind; use one of {', '.join(k.value for k in Kind)}") from None
        return use.show(env, deck, tag or [], kinds)  # type: ignore[arg-type]

    _run(work)


@app.command()
def review(
    decks: DecksArgument = None,
    tag: TagOption = None,
    new: Annotated[
        int | None, typer.Option("--new", min=0, metavar="N", help="New cards today (overrides the deck).")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=0, metavar="N", help="Reviews today (overrides the deck).")
    ] = None,
    exam_date: Annotated[
        datetime | None,
        typer.Option(
            "--exam-date",
            formats=["%Y-%m-%d"],
            callback=_exam_date,
            help="Cap intervals so every card is seen before it (remembered: see exam-date).",
        ),
    ] = None,
    ahead: Annotated[
        int | None,
        typer.Option(
            "--ahead",
            min=1,
            metavar="N",
            help="Custom study: the reviews due in the next N days, now. Rescheduled from today"
            " (an early review gains less), no new cards, no daily limits.",
        ),
    ] = None,
    forgotten: Annotated[
        bool,
        typer.Option(
            "--forgotten",
            help="Custom study: the cards answered Again today, once more. The schedule is not changed.",
        ),
    ] = False,
    days: Annotated[
        int | None,
        typer.Option(
            "--days", min=1, metavar="N", help="With --forgotten: the last N study days (1: today)."
        ),
    ] = None,
    plain: PlainOption = False,
    db: DbOption = None,
) -> None:
    """Review what is due: keys 1-4 rate, space reveals, u undoes, q quits (everything is saved).

    Without a terminal (a pipe or a script), one key or answer per line.

    Example: quizkit review --tag dates --new 10

    Custom study, as in Anki: 'quizkit review --ahead 3' before a trip; 'quizkit review
    --forgotten' to go over today's misses again.
    """
    from quizkit.app import review as use

    forgotten_days = _forgotten_days(forgotten, days)
    _run(
        lambda env: use.review(
            env,
            decks or [],
            tags=tag or [],
            new=new,
            limit=limit,
            exam_date=exam_date.date() if exam_date else None,
            ahead=ahead,
            forgotten_days=forgotten_days,
        ),
        db,
        plain=plain,
    )


def _forgotten_days(forgotten: bool, days: int | None) -> int | None:
    if days is not None and not forgotten:
        raise typer.BadParameter("--days goes with --forgotten", param_hint="--days")
    return (days or 1) if forgotten else None


@app.command()
def quiz(
    deck: DeckArgument = None,
    count: Annotated[
        int | None,
        typer.Option("--count", "-n", min=1, metavar="N", help="Number of questions [default: 20]."),
    ] = None,
    tag: TagOption = None,
    kinds: KindsOption = None,
    time: TimeOption = None,
    pass_mark: PassOption = None,
    seed: SeedOption = None,
    feedback: FeedbackOption = None,
    report: Annotated[
        Path | None, typer.Option("--report", metavar="FILE.md|FILE.json", help="Write the result to a file.")
    ] = None,
    update_schedule: Annotated[
        bool, typer.Option("--update-schedule", help="Feed the results into the review schedule.")
    ] = False,
    self_graded: SelfGradedOption = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            help="Your name in the --report, for your teacher's class report (none is kept otherwise).",
            show_default=False,
        ),
    ] = None,
    plain: PlainOption = False,
    db: DbOption = None,
) -> None:
    """Take a timed mock exam: a score, a table by tag and every missed question explained.

    Answer each question and press Enter; :n skips, :p goes back, :l lists, :s submits (the
    only way to hand in); Ctrl-C asks whether to abandon. A basic card shows its answer once
    answered, and you mark it r (right), p (partly right) or w (wrong).
    The review schedule is not changed unless --update-schedule is given.

    DECK may be an exam file from quizkit exam-pack, which fixes the questions, their order,
    the time limit and the pass mark: give it only --name and --report.

    Example: quizkit quiz --count 20 --time 15m --pass 70 --report exam.md
    """
    from quizkit.app import quiz as use

    def work(env: object) -> int:
        asked, wanted = _exam_options(feedback, self_graded, kinds)
        limit = use.parse_duration(time) if time is not None else None
        return use.quiz(
            env,  # type: ignore[arg-type]
            deck,
            seed=seed,
            count=count,
            tags=tag or [],
            kinds=wanted,
            time_limit=limit,
            pass_mark=pass_mark,
            feedback=feedback,
            report=report,
            update_schedule=update_schedule,
            self_graded=asked,
            name=name,
        )

    _run(work, db, plain=plain)


@app.command("exam-pack")
def exam_pack(
    deck: DeckArgument = None,
    out: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="EXAM.toml", help="The exam file to write."),
    ] = Path("exam.toml"),
    count: Annotated[
        int, typer.Option("--count", "-n", min=1, metavar="N", help="Number of questions.")
    ] = 20,
    tag: TagOption = None,
    kinds: KindsOption = None,
    time: TimeOption = None,
    pass_mark: PassOption = None,
    seed: SeedOption = None,
    feedback: FeedbackOption = None,
    self_graded: SelfGradedOption = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Replace an exam file already at EXAM.toml with another exam."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Write one exam file for a class: the same questions, order, options, time and pass mark
    for every student.

    Students take it with quizkit quiz EXAM.toml --name "Their Name" --report their-name.json,
    and quizkit class reads the reports they hand in. The file holds the answers, as a paper
    exam's key does. Pictures the questions show are copied beside it.

    Example: quizkit exam-pack decks/history.toml --count 20 --time 20m --pass 70 -o exam.toml
    """
    import secrets

    from quizkit.app import exam_files as use
    from quizkit.app.quiz import parse_duration

    def work(env: object) -> int:
        asked, wanted = _exam_options(feedback, self_graded, kinds)
        return use.exam_pack_command(
            env,  # type: ignore[arg-type]
            deck,
            out,
            seed=seed if seed is not None else secrets.randbelow(10**6),
            count=count,
            tags=tag or [],
            kinds=wanted,
            time_limit=parse_duration(time) if time is not None else None,
            pass_mark=pass_mark,
            self_graded=asked,
            feedback=feedback or "end",
            replace=replace,
        )

    _run(work, db)


@app.command()
def history(
    deck: Annotated[
        str | None,
        typer.Argument(metavar="DECK", help="Only this deck's exams (its id or file).", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the history as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """List past exams with the score trend and the weakest tags over time.

    Example: quizkit history taliban-pakistan
    """
    from quizkit.app import quiz as use

    _run(lambda env: use.history(env, deck, as_json), db)


@app.command("class")
def class_(
    reports: Annotated[
        list[Path],
        typer.Argument(
            metavar="REPORTS...", help="JSON reports (quizkit quiz --report NAME.json), or folders of them."
        ),
    ],
    deck: Annotated[
        str | None,
        typer.Option("--deck", help="The exam's deck (id or file): flagged questions name their file:line."),
    ] = None,
    pass_mark: Annotated[
        float | None,
        typer.Option("--pass", min=0, max=100, help="Pass mark in percent (default: the exam's, else 50)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="FILE.html",
            help="Also write the report as one HTML page to open or print (charts included).",
        ),
    ] = None,
) -> None:
    """A class's exam reports together: who is behind, which topics to reteach, which questions to rewrite.

    Per question: facility, discrimination (point-biserial with the rest of the score, and the
    upper-lower 27 % index) and, for choice questions, each option's picks by the top and bottom
    groups; flags say why a question looks broken. Reports from another exam, copies and
    unreadable files are named and left out.

    Example: quizkit class reports/ --deck taliban-pakistan --html class.html
    """
    from quizkit.app import classroom as use

    mark = pass_mark / 100 if pass_mark is not None else None
    _run(lambda env: use.class_report(env, reports, deck, mark, as_json, html))


@app.command()
def cram(
    decks: DecksArgument = None,
    tag: TagOption = None,
    plain: PlainOption = False,
    db: DbOption = None,
) -> None:
    """Go through every card regardless of the schedule, for the night before; the schedule is untouched.

    Cards you miss (1) come round again at the end. Answers are logged as cram.

    Example: quizkit cram --tag dates
    """
    from quizkit.app import cram as use

    _run(lambda env: use.cram(env, decks or [], tag or []), db, plain=plain)


@app.command()
def due(
    decks: DecksArgument = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
    exam_date: Annotated[
        datetime | None,
        typer.Option(
            "--exam-date",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            callback=_exam_date,
            help="Show the load per day until it (remembered: see exam-date).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Show how many new, learning and review cards are due today, per deck, and when the next comes.

    With an exam date (here, remembered by exam-date, or as exam_date in the deck), also the
    cards due each day until then.

    Example: quizkit due --exam-date 2026-12-15
    """
    from quizkit.app import due as use

    _run(lambda env: use.due(env, decks or [], as_json, exam_date.date() if exam_date else None), db)


@app.command(name="exam-date")
def exam_date(
    deck: Annotated[Path, typer.Argument(metavar="DECK", help="Deck file or id.", show_default=False)],
    day: Annotated[
        datetime | None,
        typer.Argument(
            metavar="[DATE]",
            formats=["%Y-%m-%d"],
            callback=_exam_date,
            help="The exam's date, YYYY-MM-DD: today or later (default: show the date).",
            show_default=False,
        ),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Forget the remembered exam date.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the exam date as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Remember a deck's exam date, show it, or forget it.

    review, due, the dashboard and stats use it: intervals are capped so that every card is seen
    before the exam. --exam-date on review or due overrides it (and is remembered); without
    either, the deck file's exam_date counts. Once the exam has passed it no longer caps intervals.

    Example: quizkit exam-date decks/taliban-pakistan.toml 2026-12-14
    """
    from quizkit.app import exam_dates as use

    _run(lambda env: use.exam_date(env, deck, day.date() if day else None, clear, as_json), db)


@app.command()
def doctor(
    remove_orphans: Annotated[
        bool, typer.Option("--remove-orphans", help="Forget the progress of cards no longer in any deck.")
    ] = False,
    restore: Annotated[
        str | None, typer.Option("--restore", metavar="FILE|latest", help="Restore a backup of the database.")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Remove orphaned progress without asking (for scripts).")
    ] = False,
    db: DbOption = None,
) -> None:
    """Check the progress database, list orphaned progress and backups, and restore a backup.

    Example: quizkit doctor --restore latest
    """
    from quizkit.app import doctor as use

    _run(lambda env: use.doctor(env, remove_orphans, restore, yes), db)


@app.command()
def optimize(
    deck: Annotated[
        str | None, typer.Option("--deck", metavar="DECK", help="Fit one deck's reviews (its deck id).")
    ] = None,
    revlog: Annotated[
        Path | None,
        typer.Option(
            "--revlog",
            metavar="FILE.csv",
            help="Fit an Anki-style review history (card_id, review_rating, review_time, review_duration).",
        ),
    ] = None,
    reschedule: Annotated[
        bool,
        typer.Option(
            "--reschedule",
            help="Replay each card's answers with the new parameters and move its due date (a backup first).",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the figures and parameters as JSON.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Fit FSRS-6's 21 parameters to your review history; show log loss, RMSE(bins) and AUC out of sample.

    Needs the optional extra: pip install 'quizkit[optimizer]'. The parameters are saved, and used by the
    scheduler from the next answer on, when they predict better than the defaults; due dates are kept
    unless --reschedule. A deck with too few reviews of its own keeps the parameters fitted over all decks.

    Example: quizkit optimize --revlog revlog.csv --json
    """
    from quizkit.app import optimize as use

    _run(lambda env: use.optimize(env, deck, revlog, as_json, reschedule), db)


@app.command()
def retention(
    deck: Annotated[
        str | None, typer.Option("--deck", metavar="DECK", help="Simulate one deck (its id or file).")
    ] = None,
    days: Annotated[int, typer.Option("--days", metavar="DAYS", help="Days of study to simulate.")] = 365,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every retention's figures and the recommendation as JSON.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Compare desired retentions 0.70 to 0.97: minutes of study a day against cards known, and the best.

    A year (--days) of study of your cards is simulated with your FSRS-6 parameters (quizkit optimize;
    else the defaults), your new-card limits and the answer times of your review log. The retention
    recommended is the one with the most cards known per minute, as Anki's "compute minimum recommended
    retention". Needs the optional extra: pip install 'quizkit[optimize]'.

    Example: quizkit retention --deck taliban-pakistan
    """
    from quizkit.app import retention as use

    _run(lambda env: use.retention(env, deck, days, as_json), db)


@app.command()
def sync(
    folder: Annotated[
        Path | None,
        typer.Argument(
            metavar="[FOLDER]",
            help="The shared folder (git, Syncthing, a network share); default: sync_folder in config.toml.",
            show_default=False,
        ),
    ] = None,
    status: Annotated[
        bool, typer.Option("--status", help="List the devices seen and the files skipped; change nothing.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print what was sent and received as JSON.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Merge your progress with your other devices' through a shared folder, with no server.

    Each device writes only its own files (FOLDER/quizkit/<device>/), one event per line, and reads
    everyone else's: answers, undos, burials and suspensions, mock exams and fitted parameters. Card states
    are replayed from the merged log, so every device ends with the same. Decks are not carried.

    Example: quizkit sync ~/Sync/quizkit
    """
    from quizkit.app import sync as use

    _run(lambda env: use.sync(env, folder, status, as_json), db)


CardIds = Annotated[
    list[str] | None,
    typer.Argument(metavar="CARD...", help="Card ids (as in the deck file).", show_default=False),
]


@app.command()
def suspend(
    deck: Annotated[Path, typer.Argument(metavar="DECK", help="Deck id or file.", show_default=False)],
    cards: CardIds = None,
    db: DbOption = None,
) -> None:
    """Suspend cards: they are not shown until unsuspended.

    Example: quizkit suspend taliban-pakistan kabul-1996
    """
    from quizkit.app import suspend as use

    _run(lambda env: use.set_suspended(env, deck, cards or [], True, False), db)


@app.command()
def unsuspend(
    deck: Annotated[Path, typer.Argument(metavar="DECK", help="Deck id or file.", show_default=False)],
    cards: CardIds = None,
    all_cards: Annotated[
        bool, typer.Option("--all", help="Unsuspend every suspended card of the deck.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Bring suspended cards (and leeches) back into review.

    Example: quizkit unsuspend taliban-pakistan --all
    """
    from quizkit.app import suspend as use

    _run(lambda env: use.set_suspended(env, deck, cards or [], False, all_cards), db)


@app.command()
def stats(
    decks: DecksArgument = None,
    tag: TagOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print every figure as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Show today's reviews, streaks, a heatmap, the forecast, card states, retention, mastery and hard cards.

    Mastery by tag gives three figures. Accuracy: the share of your answers that were right.
    Retention: the share of reviews you passed once a card was learned. Predicted recall: the
    chance, as FSRS reckons it, that you would recall a card on the exam day (see exam-date),
    or in 30 days without one, doing its reviews until then; cards not studied yet count as 0.
    With an exam date: the exam forecast (recall and a mock exam's score with an interval);
    after mock exams (quiz): what was predicted for them against what you scored.

    Example: quizkit stats taliban-pakistan --tag dates
    """
    from quizkit.app import stats as use

    _run(lambda env: use.stats(env, decks or [], tag or [], as_json), db)


@app.command()
def cards(
    deck: Annotated[Path, typer.Argument(metavar="DECK", help="Deck id or file.", show_default=False)],
    tag: TagOption = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            metavar="STATE",
            help="Only cards that are new, due, learning, review, relearning, suspended, buried or leech.",
        ),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search", "-s", metavar="TEXT", help="Only cards whose id, question or answer has TEXT."
        ),
    ] = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            metavar="KEY",
            help="Sort by due, interval, stability, difficulty, retrievability, lapses or id.",
        ),
    ] = "due",
    reverse: Annotated[
        bool, typer.Option("--reverse", help="Sort the other way (new cards stay last).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the cards as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """List a deck's cards with their scheduling: due, interval, stability, difficulty, recall, lapses.

    Example: quizkit cards taliban-pakistan --state due --sort retrievability
    """
    from quizkit.app import stats as use

    _run(lambda env: use.cards(env, deck, tag or [], state, search, sort, reverse, as_json), db)


@app.command()
def new(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="The deck file to create (.toml).", show_default=False)
    ],
    title: Annotated[
        str | None,
        typer.Option("--title", metavar="TEXT", help="The deck's title (default: from the file name)."),
    ] = None,
    description: Annotated[
        str, typer.Option("--description", metavar="TEXT", help="A sentence or two about the deck.")
    ] = "",
    author: Annotated[str, typer.Option("--author", metavar="TEXT", help="Who writes the deck.")] = "",
) -> None:
    """Create a deck file with a commented example of every kind of card. Never overwrites a file.

    Example: quizkit new rivers.toml --title "Rivers of the world"
    """
    from quizkit.app import authoring as use

    _run(lambda env: use.new_deck(env, path, title, description, author))


@app.command()
def add(
    deck: Annotated[
        Path, typer.Argument(metavar="DECK", help="The deck (id or file) to add to.", show_default=False)
    ],
) -> None:
    """Ask for a new card (kind, fields, tags), check it, and append it to the deck.

    The card gets a readable id; the rest of the file, comments included, is left as it was.
    Answers are read line by line, so a script can pipe them in.

    Example: quizkit add rivers.toml
    """
    from quizkit.app import authoring as use

    _run(lambda env: use.add_card(env, deck))


@app.command(name="import")
def import_(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="CSV, TSV, Quizlet, Anki's 'Notes in Plain Text', .apkg or .colpkg; - for standard input.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="DECK.toml|FOLDER",
            help="The deck file to write, or a folder for a deck file per Anki deck.",
        ),
    ],
    title: Annotated[
        str | None,
        typer.Option("--title", metavar="TEXT", help="The deck's title (default: from the source)."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace DECK.toml if it exists (ids are stable: progress is kept)."),
    ] = False,
    with_progress: Annotated[
        bool,
        typer.Option(
            "--with-progress",
            help="Anki packages: bring the review history, suspended and buried cards into your "
            "progress (replayed through quizkit's scheduler; never twice).",
        ),
    ] = False,
    decks: Annotated[
        str | None,
        typer.Option(
            "--decks",
            metavar="files|tags",
            help="Several Anki decks: a deck file each in the -o folder, or one file with a tag "
            "per deck (default: files for a folder, tags for a .toml).",
        ),
    ] = None,
    append: Annotated[
        bool,
        typer.Option("--append", help="Add the cards to the existing DECK.toml, leaving its text as it is."),
    ] = False,
    sep: Annotated[
        str | None,
        typer.Option(
            "--sep",
            metavar="SEP",
            help="CSV: the separator, comma, tab, semicolon, pipe or one character (default: guessed).",
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            metavar="KEY,...",
            help="CSV: what each column is, by position, e.g. q,a,explain,-,tags (- leaves one out).",
        ),
    ] = None,
    quizlet: Annotated[
        bool,
        typer.Option(
            "--quizlet",
            help="A Quizlet export: no quotes; --sep between term and definition (default tab).",
        ),
    ] = False,
    rows: Annotated[
        str | None,
        typer.Option(
            "--rows", metavar="SEP", help="With --quizlet: between cards (default: a new line), e.g. ';'."
        ),
    ] = None,
    skip_bad_rows: Annotated[
        bool,
        typer.Option("--skip-bad-rows", help="CSV: leave out bad rows and list them, instead of stopping."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Turn another tool's cards into a deck file, listing what could not be carried over.

    Example: quizkit import biology.apkg -o biology.toml

    Example: quizkit import words.csv -o words.toml --columns q,a,-,tags
    """
    from quizkit.app import exchange as use
    from quizkit.errors import UsageError
    from quizkit.io.delimited import Layout, parse_columns, parse_sep

    def work(env: object) -> int:
        if rows is not None and not quizlet:
            raise UsageError("--rows is for Quizlet exports: add --quizlet")
        reading = Layout(
            sep=parse_sep(sep, quizlet) if sep is not None else None,
            columns=parse_columns(columns) if columns is not None else None,
            quizlet=quizlet,
            rows=parse_sep(rows, quizlet=True) if rows is not None else None,
            skip_bad=skip_bad_rows,
        )
        return use.import_deck(
            env,  # type: ignore[arg-type]
            source,
            output,
            title,
            force,
            with_progress=with_progress,
            layout=decks,
            reading=reading,
            append=append,
        )

    _run(work, db)


@app.command()
def export(
    deck: Annotated[
        Path, typer.Argument(metavar="DECK", help="The deck (id or file) to export.", show_default=False)
    ],
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="apkg|csv|md|html", help="The format (default: from the -o extension)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="The file to write (default: DECK with the format's extension, here for an id).",
        ),
    ] = None,
    tag: TagOption = None,
    count: Annotated[
        int | None,
        typer.Option(
            "--count", "-n", min=1, metavar="N", help="Worksheets: N questions, drawn as quiz draws them."
        ),
    ] = None,
    kinds: Annotated[
        str | None,
        typer.Option("--kinds", metavar="KIND,...", help="Worksheets: only these kinds, e.g. choice,typed."),
    ] = None,
    shuffle: Annotated[
        bool, typer.Option("--shuffle", help="Worksheets: shuffle the questions too.")
    ] = False,
    variants: Annotated[
        int,
        typer.Option(
            "--variants",
            metavar="N",
            help="Worksheets: N versions, A, B, C..., each with its own order of questions and "
            "choices and its own key, in FILE-A.html, FILE-B.html...",
        ),
    ] = 1,
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            metavar="separate|end|none",
            help="Worksheets: the answer key in its own file (FILE-key.html, FILE-A-key.html), "
            "at the end on a new page (the default), or left out.",
        ),
    ] = None,
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            callback=_seed,
            metavar="S",
            help="Worksheets: one seed, the same papers; printed on every page with the variant.",
        ),
    ] = 0,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    with_progress: Annotated[
        bool,
        typer.Option(
            "--with-progress",
            help="Anki packages: each card's schedule, FSRS memory state and review history go "
            "along, so Anki (AnkiDroid, AnkiMobile) carries on where quizkit was.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Write a deck as an Anki package, a CSV file, or printable worksheets with answer keys.

    Example: quizkit export taliban-pakistan --to html -o exam.html -n 20 --variants 3 --key separate
    """
    from quizkit.app import exchange as use
    from quizkit.errors import UsageError
    from quizkit.io.worksheets import KeyPlace
    from quizkit.model import Kind

    def work(env: object) -> int:
        try:
            wanted = [Kind(k.strip()) for k in kinds.split(",") if k.strip()] if kinds else []
        except ValueError:
            raise UsageError(f"--kinds: use {', '.join(k.value for k in Kind)}") from None
        try:
            place = KeyPlace(key.strip().lower()) if key is not None else None
        except ValueError:
            raise UsageError(f"--key {key}: use separate, end or none") from None
        return use.export_deck(
            env,  # type: ignore[arg-type]
            deck,
            to,
            output,
            shuffle=shuffle,
            seed=seed,
            tags=tag or [],
            count=count,
            kinds=wanted,
            variants=variants,
            key=place,
            force=force,
            with_progress=with_progress,
        )

    _run(work, db)


CRASHED = 70
"""The exit code of an internal error (EX_SOFTWARE): a bug in quizkit, never the learner's input."""


def main() -> None:
    """The quizkit command. Bad input is a QuizkitError, reported by _run; anything else is a bug:
    one line and a crash log instead of a traceback. The tests must never reach this net."""
    import sys

    only = _named_command(sys.argv[1:])
    every = app.registered_commands
    if only is not None:
        # typer builds every command's parameters from its signature at each launch (~8 ms for
        # all of them): only the command asked for is built. Anything else (no command, --help,
        # a misspelt one) gets the whole group and its messages.
        app.registered_commands = [info for info in every if _name(info) == only]
    try:
        app()
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as error:  # the safety net: SystemExit and typer.Exit pass through
        raise SystemExit(_crash(error)) from None
    finally:
        app.registered_commands = every  # main() run again in one process (tests) sees them all


def _name(info: typer.models.CommandInfo) -> str:
    from typer.main import get_command_name

    callback = info.callback
    return info.name or get_command_name(callback.__name__ if callback is not None else "")


def _named_command(argv: list[str]) -> str | None:
    """The command the arguments name, after the group's own options (--db PATH), if it is one."""
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--db":
            index += 2
        elif word.startswith("--db="):
            index += 1
        elif word.startswith("-"):
            return None
        else:
            known = {_name(info) for info in app.registered_commands}
            return word if word in known else None
    return None


def _crash(error: Exception) -> int:
    import sys
    import traceback
    from datetime import UTC, datetime

    report = "".join(traceback.format_exception(error))
    where = None
    try:
        from quizkit.app.env import default_state_dir

        folder = default_state_dir() / "crashes"
        folder.mkdir(parents=True, exist_ok=True)
        where = folder / f"crash-{datetime.now(UTC):%Y%m%dT%H%M%S%f}.log"
        where.write_text(
            f"quizkit {__version__}, Python {sys.version.split()[0]}\n"
            f"command: {' '.join(sys.argv[1:])}\n\n{report}",
            encoding="utf-8",
        )
    except OSError:
        where = None
    kind = type(error).__name__
    detail = f"details in {where}" if where else "the crash log could not be written"
    print(
        f"quizkit: internal error ({kind}); your progress is saved up to the last answer. "
        f"Please report it with the {detail}",
        file=sys.stderr,
    )
    return CRASHED
