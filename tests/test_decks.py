"""The deck loader: every kind of card, every validation message, and no crash on any input."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizkit.errors import DeckError
from quizkit.io import deck_files, deck_format, deck_parse, deck_write
from quizkit.model import Kind

from tests_support import HEAD


def parse(body: str):  # type: ignore[no-untyped-def]
    return deck_parse.parse_deck(HEAD + body, "d.toml", default_id="d")


def only_card(body: str):  # type: ignore[no-untyped-def]
    deck, problems = parse(body)
    assert deck is not None, problems
    return deck.cards


# ---------------------------------------------------------------- kinds


def test_basic_card_and_its_reverse() -> None:
    cards = only_card('[[cards]]\nid = "b"\nq = "Front"\na = "Back"\nreverse = true\n')
    assert [(c.id, c.kind, c.prompt, c.answer) for c in cards] == [
        ("b", Kind.BASIC, "Front", "Back"),
        ("b.rev", Kind.BASIC, "Back", "Front"),
    ]
    assert all(c.note_id == "b" and c.line == 3 for c in cards)


def test_typed_card_inferred_from_accept() -> None:
    (card,) = only_card('[[cards]]\nid = "t"\nq = "Who?"\na = "Mullah Omar"\naccept = ["Omar"]\n')
    assert card.kind is Kind.TYPED
    assert card.accept == ("Mullah Omar", "Omar")
    assert card.exact is False


def test_typed_card_by_type_with_exact() -> None:
    (card,) = only_card('[[cards]]\nid = "t"\ntype = "typed"\nq = "Year?"\na = "1996"\nexact = true\n')
    assert (card.kind, card.exact, card.accept) == (Kind.TYPED, True, ("1996",))


def test_choice_and_multi_inferred_from_answer_shape() -> None:
    cards = only_card(
        '[[cards]]\nid = "c"\nq = "Q"\nchoices = ["A", "B"]\na = "B"\n'
        '[[cards]]\nid = "m"\nq = "Q"\nchoices = ["A", "B", "C"]\na = ["A", "C"]\n'
    )
    assert [(c.kind, c.accept, c.choices) for c in cards] == [
        (Kind.CHOICE, ("B",), ("A", "B")),
        (Kind.MULTI, ("A", "C"), ("A", "B", "C")),
    ]


def test_true_false_inferred_from_boolean() -> None:
    (card,) = only_card('[[cards]]\nid = "tf"\nq = "The sky is green."\na = false\n')
    assert (card.kind, card.answer, card.accept) == (Kind.TRUEFALSE, "false", ("false",))


def test_cloze_gives_one_card_per_deletion_with_hints() -> None:
    cards = only_card('[[cards]]\nid = "z"\ncloze = "Kabul fell in {{1996::year}} to the {{Taliban}}."\n')
    assert [(c.id, c.prompt, c.answer) for c in cards] == [
        ("z.c1", "Kabul fell in [year] to the Taliban.", "1996"),
        ("z.c2", "Kabul fell in 1996 to the [...].", "Taliban"),
    ]


_cloze_piece = st.text(
    st.one_of(
        st.characters(exclude_characters="{}:$([\\|", exclude_categories=("Cs",)), st.sampled_from("|\\ ")
    ),
    min_size=1,
    max_size=12,
).filter(lambda piece: piece.strip() == piece and not piece.endswith("\\"))
"""An answer or alternative as an author means it: no braces, no '::', no formula, not ending in \\."""


def _escaped(text: str) -> str:
    return text.replace("|", "\\|")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_cloze_piece, min_size=1, max_size=4, unique=True),
    st.one_of(st.just(""), _cloze_piece),
)
def test_cloze_alternatives_and_hint_round_trip(answers: list[str], hint: str) -> None:
    body = "|".join(map(_escaped, answers)) + (f"::{_escaped(hint)}" if hint else "")
    text = HEAD + deck_write.dump_card({"id": "z", "cloze": f"Before {{{{{body}}}}} after."})
    deck, problems = deck_parse.parse_deck(text, "d.toml")
    assert deck is not None, problems
    assert all(p.severity == "warning" for p in problems)
    (card,) = deck.cards
    assert (card.answer, card.accept) == (answers[0], tuple(answers))
    assert card.prompt == f"Before [{hint or '...'}] after."
    assert deck_format.cloze_deletion(body) == (tuple(answers), hint)


def test_order_card_keeps_the_right_sequence() -> None:
    (card,) = only_card('[[cards]]\nid = "o"\nq = "Order"\norder = ["1989", "1996", "2001"]\n')
    assert (card.kind, card.accept) == (Kind.ORDER, ("1989", "1996", "2001"))


def test_deck_settings_are_read() -> None:
    deck, problems = deck_parse.parse_deck(
        '[deck]\nid = "x"\ntitle = "T"\nretention = 0.85\nnew_per_day = 5\nexam_date = 2026-12-15\n'
        '[[cards]]\nid = "a"\nq = "Q"\na = "A"\n'
    )
    assert deck is not None and not problems
    assert (deck.id, deck.settings.retention, deck.settings.new_per_day) == ("x", 0.85, 5)
    assert str(deck.settings.exam_date) == "2026-12-15"


def test_deck_id_defaults_to_file_name(tmp_path: Path) -> None:
    path = tmp_path / "my-history.toml"
    path.write_text(HEAD + '[[cards]]\nid = "a"\nq = "Q"\na = "A"\n', encoding="utf-8")
    assert deck_files.load_deck(path).id == "my-history"


def test_card_without_id_gets_a_stable_derived_id_and_a_warning() -> None:
    body = '[[cards]]\nq = "Who led the Taliban?"\na = "Mullah Omar"\n'
    first, problems = parse(body)
    again, _ = parse(body)
    assert first is not None and again is not None
    assert first.cards[0].id == again.cards[0].id
    assert first.cards[0].id.startswith("who-led-the-taliban-")
    assert [p.severity for p in problems] == ["warning"]
    assert "editing the text resets its progress" in problems[0].hint


# ---------------------------------------------------------------- problems


CASES = [
    # (what, deck text after the header, line, card, message fragment, hint fragment)
    (
        "unknown key typo",
        '[[cards]]\nid = "x"\nq = "Q"\na = "A"\nexplian = "e"\n',
        7,
        "x",
        "unknown key 'explian'",
        "did you mean 'explain'?",
    ),
    (
        "unknown key alias",
        '[[cards]]\nid = "x"\nq = "Q"\nanswer = "A"\n',
        6,
        "x",
        "unknown key 'answer'",
        "did you mean 'a'?",
    ),
    ("missing answer", '[[cards]]\nid = "x"\nq = "Q"\n', 3, "x", "has a question but no answer", "add a ="),
    (
        "missing question",
        '[[cards]]\nid = "x"\na = "A"\n',
        3,
        "x",
        "has an answer but no question",
        "add q =",
    ),
    ("empty field", '[[cards]]\nid = "x"\nq = ""\na = "A"\n', 5, "x", "'q' is empty", ""),
    (
        "wrong type",
        '[[cards]]\nid = "x"\nq = 12\na = "A"\n',
        5,
        "x",
        "'q' must be text, not a number",
        "quotes",
    ),
    (
        "tags not a list",
        '[[cards]]\nid = "x"\nq = "Q"\na = "A"\ntags = "dates"\n',
        7,
        "x",
        "'tags' must be a list of text",
        "",
    ),
    (
        "choice answer not among choices",
        '[[cards]]\nid = "x"\nq = "Q"\nchoices = ["Kabul", "Herat"]\na = "Kabull"\n',
        7,
        "x",
        "answer 'Kabull' is not among the choices",
        "did you mean 'Kabul'?",
    ),
    (
        "multi answer not among choices",
        '[[cards]]\nid = "x"\nq = "Q"\nchoices = ["A", "B"]\na = ["A", "C"]\n',
        7,
        "x",
        "answer 'C' is not among the choices",
        "",
    ),
    (
        "duplicate choices",
        '[[cards]]\nid = "x"\nq = "Q"\nchoices = ["A", "A", "B"]\na = "A"\n',
        6,
        "x",
        "'choices' lists 'A' more than once",
        "remove the duplicate",
    ),
    (
        "duplicate ids",
        '[[cards]]\nid = "x"\nq = "Q"\na = "A"\n[[cards]]\nid = "x"\nq = "R"\na = "B"\n',
        7,
        "x",
        "duplicate card id 'x'",
        "already used at line 3",
    ),
    (
        "cloze without deletions",
        '[[cards]]\nid = "x"\ncloze = "No braces here."\n',
        5,
        "x",
        "cloze has no deletions",
        "{{1996}}",
    ),
    (
        "cloze unclosed",
        '[[cards]]\nid = "x"\ncloze = "Open {{here."\n',
        5,
        "x",
        "cloze has an unclosed '{{' or a stray '}}'",
        "each deletion is written {{answer}}",
    ),
    (
        "cloze anki numbering",
        '[[cards]]\nid = "x"\ncloze = "In {{c1::1996}}."\n',
        5,
        "x",
        "'{{c1::1996}}' uses Anki's c1:: numbering",
        "quizkit numbers deletions in order",
    ),
    (
        "order too short",
        '[[cards]]\nid = "x"\nq = "Q"\norder = ["only"]\n',
        6,
        "x",
        "'order' needs at least two items, it has 1",
        "",
    ),
    (
        "kind cannot be told",
        '[[cards]]\nid = "x"\nexplain = "why"\n',
        3,
        "x",
        "cannot tell what kind of card this is",
        "type =",
    ),
    (
        "unknown type",
        '[[cards]]\nid = "x"\ntype = "typd"\nq = "Q"\na = "A"\n',
        5,
        "x",
        "unknown card type 'typd'",
        "did you mean 'typed'?",
    ),
    (
        "key from another kind",
        '[[cards]]\nid = "x"\nq = "Q"\na = "A"\nexact = true\nreverse = true\n',
        8,
        "x",
        "'reverse' does not belong on a typed card",
        "",
    ),
    (
        "true/false quoted",
        '[[cards]]\nid = "x"\ntype = "truefalse"\nq = "Q"\na = "true"\n',
        7,
        "x",
        "a true/false card needs a = true or a = false",
        "without quotes",
    ),
    (
        "bad card id",
        '[[cards]]\nid = "has space"\nq = "Q"\na = "A"\n',
        4,
        "#1",
        "id 'has space' is not a valid card id",
        'e.g. id = "kabul-1996"',
    ),
    (
        "multi without right answers",
        '[[cards]]\nid = "x"\nq = "Q"\nchoices = ["A", "B"]\na = []\n',
        7,
        "x",
        "'a' needs at least 1 item, it has 0",
        "",
    ),
]


@pytest.mark.parametrize(("what", "body", "line", "card", "message", "hint"), CASES)
def test_each_problem_names_line_card_and_fix(
    what: str, body: str, line: int, card: str | None, message: str, hint: str
) -> None:
    deck, problems = parse(body)
    assert deck is None, what
    errors = [p for p in problems if p.severity == "error"]
    match = [p for p in errors if message in p.message]
    assert match, f"{what}: {errors}"
    assert match[0].line == line
    assert match[0].card == card
    assert match[0].path == "d.toml"
    assert hint in match[0].hint


def test_deck_table_problems() -> None:
    deck, problems = deck_parse.parse_deck(
        '[deck]\ntitel = "T"\nretention = 2\n[[cards]]\nid = "a"\nq = "Q"\na = "A"\n'
    )
    assert deck is None
    messages = [(p.line, p.message, p.hint) for p in problems]
    assert (2, "unknown key 'titel' in [deck]", "did you mean 'title'?") in messages
    assert (3, "[deck] retention must be a number from 0.70 to 0.99", "e.g. retention = 0.9") in messages
    assert (1, "[deck] has no title", 'add title = "..."') in messages


def test_missing_deck_table() -> None:
    deck, problems = deck_parse.parse_deck('[[cards]]\nid = "a"\nq = "Q"\na = "A"\n')
    assert deck is None
    assert problems[0].message == "missing the [deck] table"


def test_every_problem_is_reported_not_just_the_first() -> None:
    deck, problems = parse(
        '[[cards]]\nid = "x"\nq = "Q"\n[[cards]]\nid = "y"\nq = "Q"\nchoices = ["A"]\na = "B"\n'
    )
    assert deck is None
    assert len([p for p in problems if p.severity == "error"]) == 3


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (HEAD + '[[cards]]\nq = "unclosed\n', 4, "string is not closed"),
        (HEAD + "[[cards]]\nq = Kabul\n", 4, "text needs quotes"),
        (HEAD + '[[cards]]\nq = "a"\nq = "b"\n', 5, "given twice"),
    ],
)
def test_toml_syntax_errors_point_at_the_line(text: str, line: int, fragment: str) -> None:
    deck, (problem,) = deck_parse.parse_deck(text, "d.toml")
    assert deck is None
    assert problem.line == line
    assert problem.message.startswith("TOML syntax error")
    assert fragment in problem.message + problem.hint


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"\x00\x01\x02binary", "binary file"),
        ("[deck]\ntitle = 'caf\u00e9'\n".encode("latin-1"), "not valid UTF-8"),
    ],
)
def test_unreadable_input_is_a_problem(data: bytes, fragment: str) -> None:
    deck, problems = deck_parse.parse_deck(data, "d.toml")
    assert deck is None
    assert fragment in problems[0].message


def test_utf8_bom_is_accepted() -> None:
    deck, _ = deck_parse.parse_deck(("\ufeff" + HEAD + '[[cards]]\nid = "a"\nq = "Q"\na = "A"\n').encode())
    assert deck is not None


def test_load_deck_raises_deck_error_for_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DeckError) as caught:
        deck_files.load_deck(tmp_path / "nope.toml")
    assert caught.value.problems[0].message == "no such file"


# ---------------------------------------------------------------- arbitrary input

card_keys = st.sampled_from([*deck_format.CARD_KEYS, "anwser", "x"])
toml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=8,
)


def _toml_value(value: object) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').encode("unicode_escape").decode() + '"'
    return repr(value)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_give_a_deck_or_problems(data: bytes) -> None:
    deck, problems = deck_parse.parse_deck(data, "fuzz.toml")
    assert deck is not None or any(p.severity == "error" for p in problems)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_gives_a_deck_or_problems(text: str) -> None:
    deck, problems = deck_parse.parse_deck(text, "fuzz.toml")
    assert deck is not None or any(p.severity == "error" for p in problems)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(card_keys, toml_values, max_size=6), max_size=4))
def test_arbitrary_cards_give_a_deck_or_deck_error(cards: list[dict[str, object]]) -> None:
    text = HEAD + "".join(
        "[[cards]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in card.items()) for card in cards
    )
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    deck, problems = deck_parse.parse_deck(text, "fuzz.toml")
    if deck is None:
        with pytest.raises(DeckError):
            raise DeckError([p for p in problems if p.severity == "error"])
        assert all(p.path == "fuzz.toml" and p.message for p in problems)
    else:
        assert len({c.id for c in deck.cards}) == len(deck.cards)


def test_card_lines_are_right_when_a_multiline_string_holds_a_header() -> None:
    deck, problems = deck_parse.parse_deck(
        HEAD
        + '[[cards]]\nid = "a"\nq = """Looks like\n[[cards]]\nbut is text"""\na = "x"\n\n[[cards]]\nid = "b"\nq = "Q"\na = "A"\n'
    )
    assert deck is not None, problems
    assert [(card.id, card.line) for card in deck.cards] == [("a", 3), ("b", 10)]
    assert "[[cards]]" in deck.cards[0].prompt


# ---------------------------------------------------------------- big decks, parsed in slices


def test_parsing_in_slices_gives_exactly_the_whole_file_result() -> None:
    from conftest import BUNDLED

    source = (BUNDLED / "taliban-pakistan.toml").read_text(encoding="utf-8")
    whole = deck_parse.parse_deck(source, "d.toml", "d")
    sliced = deck_parse._parse_in_chunks(source, "d.toml", "d", per_chunk=7)
    assert sliced is not None
    assert sliced == whole


def test_slices_handle_a_deck_table_after_the_cards() -> None:
    source = '[[cards]]\nid = "a"\nq = "Q"\na = "A"\n[[cards]]\nid = "b"\nq = "R"\na = "B"\n[deck]\ntitle = "Late"\n'
    sliced = deck_parse._parse_in_chunks(source, "d.toml", "d", per_chunk=1)
    assert sliced is not None
    assert sliced == deck_parse.parse_deck(source, "d.toml", "d")
    assert sliced[0] is not None and sliced[0].title == "Late"


@pytest.mark.parametrize(
    "source",
    [
        HEAD
        + '[[cards]]\nid = "a"\nq = """x\n[[cards]]\ny"""\na = "A"\n[[cards]]\nid = "b"\nq = "Q"\na = "B"\n',
        HEAD + '[[cards]]\nid = "a"\nq = "Q"\na = "A"\n[[cards]]\nid = "a"\nq = "R"\na = "B"\n',
        HEAD + '[[cards]]\nid = "a"\nq = "Q"\n[[cards]]\nid = "b"\nq = "R"\na = "B"\n',
        HEAD + '[[cards]]\nid = "a"\nq = "Q"\na = "A"\n[deck]\ntitle = "twice"\n',
        HEAD + '[[cards]]\nid = "a"\nq = "Q\na = "A"\n',
    ],
    ids=["header-in-string", "duplicate-id-across-slices", "error", "deck-twice", "syntax"],
)
def test_anything_unusual_falls_back_to_the_whole_file_parse(source: str) -> None:
    assert deck_parse._parse_in_chunks(source, "d.toml", "d", per_chunk=1) is None
