"""A wrong typed answer against the right one (issue 14, item 5): aligned, differences marked,
readable with colour off. core.compare does the alignment; ui.render draws it."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from quizkit.core.compare import (
    GAP,
    LABEL_WIDTH,
    LABELS,
    Mark,
    Piece,
    answer_for,
    cell_width,
    clusters,
    compare,
    comparison_text,
    in_words,
)
from quizkit.core.compare import lines as compare_lines
from quizkit.model import Card, Kind
from quizkit.ui.render import answer_comparison, answer_comparison_lines


def screen(given: str, expected: str, width: int = 80, *, exact: bool = False) -> str:
    return "\n".join(comparison_text(given, expected, width, exact=exact)) + "\n"


# ---------------------------------------------------------------- the cases, whole


def test_the_issue_s_example_letters_missing_and_changed() -> None:
    assert screen("mulah omer", "Mullah Omar") == (
        "typed  mul-ah omer\n"
        "answer Mullah Omar\n"
        "          ^     ^\n"
        '2 differences: "l" missing; "e" instead of "a"\n'
    )


def test_two_letters_swapped_are_one_difference() -> None:
    assert screen("Benazir Buhtto", "Benazir Bhutto") == (
        "typed  Benazir Buhtto\n"
        "answer Benazir Bhutto\n"
        "                ^^\n"
        '1 difference: "uh" instead of "hu"\n'
    )


def test_a_letter_too_many() -> None:
    assert screen("Musharrraf", "Musharraf") == (
        'typed  Musharrraf\nanswer Musharr-af\n              ^\n1 difference: "r" extra\n'
    )


def test_single_letters_either_side_of_a_match_stay_apart() -> None:
    assert screen("Umer", "Omar") == (
        'typed  Umer\nanswer Omar\n       ^ ^\n2 differences: "U" instead of "O"; "e" instead of "a"\n'
    )


def test_a_wholly_wrong_answer_is_shown_whole_not_letter_by_letter() -> None:
    # "Karachi" and "Paris" share a, r and i, scattered: marking around them would be noise.
    assert screen("Karachi", "Paris") == (
        "typed  Karachi\nanswer Paris\n       ^^^^^^^\nnothing in common with the answer\n"
    )


def test_nothing_typed() -> None:
    assert screen("", "Paris") == "typed  -----\nanswer Paris\n       ^^^^^\nnothing typed\n"


def test_case_and_accents_are_not_differences_as_in_grading() -> None:
    assert (
        screen("zurich muller", "Zürich Müller") == "typed  zurich muller\nanswer Zürich Müller\nthe same\n"
    )
    assert screen("kandahar", "Kandahar") == "typed  kandahar\nanswer Kandahar\nthe same\n"


def test_on_an_exact_card_case_and_accents_are_differences() -> None:
    assert screen("Zurich", "Zürich", exact=True) == (
        'typed  Zurich\nanswer Zürich\n        ^\n1 difference: "u" instead of "ü"\n'
    )
    assert screen("h2O", "H2O", exact=True).splitlines()[2] == "       ^"


def test_punctuation_spacing_and_a_leading_article_are_not_differences() -> None:
    assert screen("Inter Services", "Inter-Services") == (
        "typed  Inter Services\nanswer Inter-Services\nthe same\n"
    )
    # "the" is what normalize drops, so it is not marked; the gap under it is blank, not '-'.
    assert screen("the Niger", "Nile") == (
        'typed  the Niger\nanswer     Nile-\n             ^ ^\n2 differences: "g" instead of "l"; "r" extra\n'
    )


def test_different_punctuation_side_by_side_is_one_column_not_a_difference() -> None:
    assert (
        screen("Kabul.", "Kabul!x")
        == 'typed  Kabul.-\nanswer Kabul!x\n             ^\n1 difference: "x" missing\n'
    )


def test_missing_words_at_the_end_stay_one_gap() -> None:
    # Not "invasio" + "n" matched with the last n of "Afghanistan", nor the leading "the" marked.
    assert screen("Soviet invasion", "the Soviet invasion of Afghanistan") == (
        "typed      Soviet invasion --------------\n"
        "answer the Soviet invasion of Afghanistan\n"
        "                           ^^^^^^^^^^^^^^\n"
        '1 difference: "of Afghanistan" missing\n'
    )
    assert screen("Tehrik-i-Taliban", "Tehrik-i-Taliban Pakistan").splitlines()[3] == (
        '1 difference: "Pakistan" missing'
    )


def test_a_missing_word_is_a_gap_in_the_typed_line() -> None:
    assert screen("in 1997", "1996") == (
        'typed  in 1997\nanswer -- 1996\n       ^^    ^\n2 differences: "in" extra; "7" instead of "6"\n'
    )


def test_wide_characters_take_two_columns_and_the_gap_and_pointers_follow() -> None:
    assert screen("東京都", "東京") == (
        'typed  東京都\nanswer 東京--\n           ^^\n1 difference: "都" extra\n'
    )


def test_combining_marks_stay_with_their_letter() -> None:
    # Decomposed: a + U+0301 is one character on the screen, and one column of the alignment.
    assert clusters("ab\u0301c") == ["a", "b\u0301", "c"]
    assert cell_width("b\u0301") == 1
    assert screen("ab\u0301c", "abd") == (
        'typed  ab\u0301c\nanswer abd\n         ^\n1 difference: "c" instead of "d"\n'
    )
    # Devanagari vowel signs are part of the letter: never split from it.
    pieces = compare("नमस्ते", "नमस्कार").pieces
    assert pieces == (Piece(Mark.SAME, "नमस्", "नमस्"), Piece(Mark.CHANGED, "ते", "कार"))


def test_a_long_answer_wraps_at_spaces_both_lines_share() -> None:
    given = "Inter Services Inteligence agency of the government of Pakistan, founded in 1948"
    expected = "Inter-Services Intelligence, the intelligence agency of Pakistan, founded in 1948"
    assert screen(given, expected, 40) == (
        "typed  Inter Services Intel-igence\n"
        "answer Inter-Services Intelligence,\n"
        "                           ^\n"
        "typed  agency of the government of\n"
        "answer the intelligence agency  of\n"
        "       ^^^^^^^^^^^^^^^^^^^^^^^^\n"
        "typed  Pakistan, founded in 1948\n"
        "answer Pakistan, founded in 1948\n"
        '2 differences: "l" missing; "agency of\n'
        'the government" instead of "the\n'
        'intelligence agency"\n'
    )


def test_many_differences_are_counted_in_words_after_four() -> None:
    assert in_words(compare("a1b2c3d4e5f6g7h8", "a9b9c9d9e9f9g9h9")) == (
        '7 differences: "1" instead of "9"; "2" instead of "9"; "3" instead of "9"; "4" instead of "9"; '
        "and 3 more"
    ) or in_words(compare("a1b2c3d4e5f6g7h8", "a9b9c9d9e9f9g9h9")).endswith("more")


def test_deck_text_cannot_style_or_drive_the_terminal() -> None:
    lines = comparison_text("[bold]Kabul\x1b[2J", "[red]Kabul\x07", 80)
    assert lines[:2] == ["typed  [bold]Kabul", "answer [re-d]Kabul"]
    console = Console(width=80, force_terminal=True, color_system="standard", no_color=False)
    with console.capture() as captured:
        console.print(answer_comparison("[bold]Kabul\x1b[2J", "[red]Kabul\x07"))
    out = captured.get()
    assert "\x07" not in out and "\x1b[2J" not in out
    assert "[" in out and "]Kabul" in out  # shown, not read as markup


# ---------------------------------------------------------------- the closest accepted answer


OMAR = Card(
    id="t",
    kind=Kind.TYPED,
    prompt="Q",
    answer="Mullah Omar",
    accept=("Mullah Omar", "Mullah Mohammed Omar", "Omar"),
)


@pytest.mark.parametrize(
    ("typed", "closest"),
    [("mulah omer", "Mullah Omar"), ("mullah mohamad omer", "Mullah Mohammed Omar"), ("omer", "Omar")],
)
def test_compared_with_the_closest_accepted_answer(typed: str, closest: str) -> None:
    assert answer_for(OMAR, typed) == closest


def test_an_exact_card_is_compared_as_typed() -> None:
    card = Card(id="t", kind=Kind.TYPED, prompt="Q", answer="H2O", accept=("H2O", "h2o"), exact=True)
    assert answer_for(card, "h2o!") == "h2o"


# ---------------------------------------------------------------- drawn by ui.render


def test_the_renderable_at_a_pinned_width_without_colour() -> None:
    console = Console(width=40, no_color=True, record=True, file=None, force_terminal=False)
    with console.capture() as captured:
        console.print(answer_comparison("mulah omer", "Mullah Omar"))
    assert "".join(line.rstrip() + "\n" for line in captured.get().splitlines()) == (
        "typed  mul-ah omer\n"
        "answer Mullah Omar\n"
        "          ^     ^\n"
        '2 differences: "l" missing; "e" instead\n'
        'of "a"\n'
    )
    assert answer_comparison_lines("mulah omer", "Mullah Omar", 40) == comparison_text(
        "mulah omer", "Mullah Omar", 40
    )


def test_with_colour_what_differs_is_coloured_too() -> None:
    console = Console(width=40, force_terminal=True, color_system="standard", no_color=False)
    with console.capture() as captured:
        console.print(answer_comparison("mulah omer", "Mullah Omar"))
    typed, answer = captured.get().splitlines()[:2]
    assert "\x1b[31me\x1b[0m" in typed  # the wrong letter in red
    assert "\x1b[32ml\x1b[0m" in answer and "\x1b[32ma\x1b[0m" in answer  # what the answer has, green


# ---------------------------------------------------------------- properties

TEXT = st.lists(st.sampled_from([*"abcdeABCDE éü-.'東京", "e\u0301"]), max_size=24).map(
    lambda chars: "".join(chars).strip()
)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_each_line_shows_its_text_in_order_and_the_lines_stay_aligned(typed: str, answer: str) -> None:
    typed, answer = unicodedata.normalize("NFC", typed), unicodedata.normalize("NFC", answer)
    comparison = compare(typed, answer)
    assert "".join(part.typed for part in comparison.parts) == "".join(clusters(typed))
    assert "".join(part.answer for part in comparison.parts) == "".join(clusters(answer))
    lines = comparison_text(typed, answer, 200)
    top, bottom = lines[0][LABEL_WIDTH:], lines[1][LABEL_WIDTH:]
    if GAP not in typed + answer:
        assert top.replace(GAP, "").replace(" ", "") == typed.replace(" ", "")
        assert bottom.replace(GAP, "").replace(" ", "") == answer.replace(" ", "")
    if len(lines) == 4:  # the ^ line: never past the longer of the two
        assert cell_width(lines[2].rstrip()) <= max(cell_width(lines[0]), cell_width(lines[1]))
    assert (in_words(comparison) == "the same") == (not comparison.differences)


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT, st.integers(min_value=10, max_value=60))
def test_no_line_is_wider_than_the_screen(typed: str, answer: str, width: int) -> None:
    for line in comparison_text(typed * 3, answer * 3, width)[:-1]:
        assert cell_width(line) <= max(width, LABEL_WIDTH + 8)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30), st.booleans(), st.integers(min_value=1, max_value=120))
def test_any_text_is_compared_without_error_in_lines_of_the_width(
    typed: str, answer: str, exact: bool, width: int
) -> None:
    laid_out = compare_lines(compare(typed, answer, exact=exact), width)
    assert all("\n" not in line.text and "\x1b" not in line.text for line in laid_out)
    labels = [line.label for line in laid_out if line.label in LABELS]
    assert labels and labels == list(LABELS) * (len(labels) // 2)
    assert laid_out[-1].label == ""  # the words


def test_what_the_answer_panel_shows_for_a_wrong_typed_answer() -> None:
    from quizkit.core.grading import grade
    from quizkit.ui.render import wrong_answer_comparison, wrong_answer_lines

    wrong = grade(OMAR, "mullah mohamad omer")  # nearest the second accepted answer
    assert wrong_answer_lines(OMAR, wrong, 60) == [
        "typed  mullah mohama-d omer",
        "answer Mullah Mohammed Omar",
        "                   ^^    ^",
        '2 differences: "a" instead of "me"; "e" instead of "a"',
    ]
    assert wrong_answer_comparison(OMAR, wrong) is not None
    for right in ("Mullah Omar", "Mulah Omar"):  # right, and a typo: typo_diff shows that one
        assert wrong_answer_comparison(OMAR, grade(OMAR, right)) is None
        assert wrong_answer_lines(OMAR, grade(OMAR, right), 60) == []
    assert wrong_answer_lines(OMAR, grade(OMAR, ""), 60) == []
    choice = Card(id="c", kind=Kind.CHOICE, prompt="Q", answer="A", accept=("A",), choices=("A", "B"))
    assert wrong_answer_comparison(choice, grade(choice, "2")) is None
