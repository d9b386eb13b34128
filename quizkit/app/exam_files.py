"""quizkit exam-pack: one exam file a teacher hands out, so a class sits the same exam.

The exam is drawn as `quizkit quiz` draws it (the same seed gives the same questions), then
written as an exam file (io/exam_pack.py) and read back before it is kept: what a student's
quizkit will ask is what the teacher's drew, or the command says which card could not be
written.
"""

from __future__ import annotations

import random
import shlex
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from quizkit.app.env import Environment
from quizkit.app.library import one_deck
from quizkit.core.exam import Question, draw_questions, duration_text
from quizkit.errors import DeckError, UsageError
from quizkit.io import disk, exam_pack
from quizkit.model import Deck, Kind, SelfGraded
from quizkit.ui import words


def exam_pack_command(
    env: Environment,
    deck_path: Path | str | None,
    out: Path,
    *,
    seed: int,
    count: int = 20,
    tags: Sequence[str] = (),
    kinds: Sequence[Kind] = (),
    time_limit: timedelta | None = None,
    pass_mark: float | None = None,
    self_graded: SelfGraded | None = None,
    feedback: str = "end",
    replace: bool = False,
) -> int:
    """Draw an exam and write it to `out`. Exit 0, or UsageError/DeckError before anything is
    written. An exam file already at `out` is replaced only with `replace` (students may have
    sat it), unless the exam drawn is the same."""
    if out.suffix.lower() != ".toml":
        raise UsageError(f"-o {out}: an exam file is a .toml file, e.g. -o exam.toml")
    disk.check_output(out)
    previous: exam_pack.ExamFile | None = None
    if out.exists() or out.is_symlink():
        if not exam_pack.is_exam_file(out):
            raise UsageError(
                f"-o {out}: that file exists and is not an exam file; writing it would replace it. "
                "Name a new file, or remove that one first"
            )
        try:
            previous = exam_pack.read_exam(out)
        except DeckError:
            previous = None  # an exam file that no longer reads: replaced only with --replace
    deck = one_deck(env, deck_path)
    if exam_pack.is_exam_file(Path(deck.path)):
        raise UsageError(f"{deck.path} is already an exam file: hand it out as it is, or pack its deck")
    asked = self_graded or deck.settings.self_graded or SelfGraded.ASK
    questions = draw_questions(deck, count, random.Random(seed), tags=tags, kinds=kinds, self_graded=asked)
    if not questions:
        left_out = " (basic cards are left out: --self-graded skip)" if asked is SelfGraded.SKIP else ""
        raise UsageError(f"no cards in {deck.path} match those tags and kinds{left_out}")
    pictures = _pictures(deck, questions, out)
    wanted = len(deck.cards) if count is None else count
    if len(questions) < wanted:
        matches = f"only {len(questions)} card{' matches' if len(questions) == 1 else 's match'}"
        env.stderr.print(
            words.plain(f"{matches}: the exam has {len(questions)}, not {wanted}"), style="yellow"
        )
    from quizkit.io.reports import deck_hash

    take = f'quizkit quiz {shlex.quote(out.name)} --name "Your Name" --report your-name.json'

    def written(exam_hash: str | None) -> str:
        return exam_pack.exam_text(
            deck,
            questions,
            seed=seed,
            time_limit=time_limit,
            pass_mark=pass_mark,
            feedback=feedback,
            deck_file=Path(deck.path).name,
            deck_hash=deck_hash(Path(deck.path)),
            exam_hash=exam_hash,
            take=take,
        )

    read_back = _read_back(written(None), out, questions)
    text = written(read_back.hash)
    _read_back(text, out, questions)
    same = previous is not None and previous.hash == read_back.hash
    if (out.exists() or out.is_symlink()) and not same and not replace:
        what = f"exam {previous.hash}, seed {previous.seed}" if previous is not None else "an exam file"
        raise UsageError(
            f"-o {out} is already an exam ({what}); writing it would replace it with another, and "
            "a class that sat it would hand in two exams. Name a new file, or give --replace"
        )
    _copy_pictures(deck, out, pictures)
    try:
        with disk.atomic_file(out) as handle:
            handle.write(text.encode("utf-8"))
    except OSError as error:
        raise UsageError(f"cannot write {out}: {error.strerror}") from None
    limit = duration_text(time_limit) if time_limit is not None else "no time limit"
    mark = f"pass mark {pass_mark:g}%" if pass_mark is not None else "no pass mark"
    say = env.stdout.print
    done = "unchanged" if same else f"replaced exam {previous.hash} with" if previous is not None else "wrote"
    plural = "s" if len(questions) != 1 else ""
    say(
        words.plain(
            f"{done} {out}: {len(questions)} question{plural} from {deck.title or deck.id} "
            f"(seed {seed}), {limit}, {mark}; exam {read_back.hash}"
        ),
        soft_wrap=True,
    )
    if pictures and Path(deck.path).parent.resolve() != out.parent.resolve():
        say(
            words.plain(f"copied {len(pictures)} picture(s) beside it: {', '.join(pictures)}"), soft_wrap=True
        )
    if pictures:
        say(words.plain("hand out the pictures with the file, in the same folders"), soft_wrap=True)
    say(words.plain(f"students take it with: {take}"), soft_wrap=True)
    say(
        words.plain(
            f"then read the class's reports with: quizkit class REPORTS... --deck {shlex.quote(deck.path)}"
        ),
        soft_wrap=True,
    )
    return 0


def _read_back(text: str, out: Path, questions: Sequence[Question]) -> exam_pack.ExamFile:
    """The exam file as a student's quizkit will read it, checked to ask what was drawn."""
    try:
        exam = exam_pack.exam_from_text(text, out)
    except DeckError as error:
        first = error.problems[0] if error.problems else None
        card = f" (card {first.card})" if first and first.card else ""
        raise UsageError(
            f"the exam cannot be written as an exam file{card}: {first.message if first else error}"
        ) from None
    asked = [_asked(q) for q in exam.questions]
    drawn = [_asked(q) for q in questions]
    if asked != drawn:
        wrong = next(d[0] for d, a in zip(drawn, asked, strict=False) if d != a) if asked else "?"
        raise UsageError(
            f"card {wrong} cannot be written into an exam file as it is asked; please report this"
        )
    return exam


def _asked(question: Question) -> tuple[object, ...]:
    card = question.card
    return (question.key[1], card.kind, card.prompt, card.answer, card.accept, question.shown, card.exact)


def _pictures(deck: Deck, questions: Sequence[Question], out: Path) -> list[str]:
    """The picture files the exam shows, checked now: an exam that cannot show one is not made."""
    from quizkit.io import pictures

    folder = Path(deck.path).parent
    files = list(
        dict.fromkeys(
            picture.file
            for question in questions
            for picture in (question.card.image, question.card.answer_image)
            if picture is not None
        )
    )
    same_folder = folder.resolve() == out.parent.resolve()
    for file in files:
        found = pictures.problem(folder, file)
        if found is not None:
            raise UsageError(f"{deck.path}: picture {file}: {found[0]}; {found[1]}")
        if not same_folder:
            _check_target(out.parent, file, pictures.read(folder, file))
    return files


def _check_target(home: Path, file: str, data: bytes) -> None:
    """The picture can be copied to home/file: each folder on the way is one (or is missing),
    and a file already there is the same picture."""
    from quizkit.io import pictures

    target = home / file
    for folder in reversed(target.parents):
        if folder.is_relative_to(home) and folder != home and (folder.exists() or folder.is_symlink()):
            if folder.is_symlink() or not folder.is_dir():
                raise UsageError(f"cannot copy the picture {file}: {folder} is in the way (not a folder)")
    if not (target.exists() or target.is_symlink()):
        return
    try:
        there = pictures.read(home, file)
    except pictures.PictureError as error:
        raise UsageError(
            f"cannot copy the picture {file}: {target} is in the way ({error.args[0]})"
        ) from None
    if there != data:
        raise UsageError(f"{target} exists and is not the deck's {file}: write the exam into another folder")


def _copy_pictures(deck: Deck, out: Path, files: Sequence[str]) -> None:
    """Each picture beside the exam file under the same relative path (none when the exam is
    written into the deck's own folder)."""
    from quizkit.io import pictures

    folder = Path(deck.path).parent
    if folder.resolve() == out.parent.resolve():
        return
    for file in files:
        target = out.parent / file
        if target.exists():
            continue  # the same bytes (checked by _check_target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with disk.atomic_file(target) as handle:
                handle.write(pictures.read(folder, file))
        except OSError as error:
            raise UsageError(f"cannot copy the picture to {target}: {error.strerror}") from None
