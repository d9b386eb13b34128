"""Answer checking: lenient typed answers, choices by number, letter or text, selections, order, true/false."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizkit.core.grading import (
    Edit,
    Grade,
    Verdict,
    damerau_levenshtein,
    grade,
    normalize,
    parse_choice,
    parse_choices,
    parse_order,
    typo_allowance,
    understood,
)
from quizkit.model import Card, Kind, Rating

RIGHT, TYPO, PARTIAL, WRONG = Verdict.RIGHT, Verdict.TYPO, Verdict.PARTIAL, Verdict.WRONG


def typed(answer: str, *alternatives: str, exact: bool = False) -> Card:
    return Card(
        id="t", kind=Kind.TYPED, prompt="Q", answer=answer, accept=(answer, *alternatives), exact=exact
    )


OMAR = typed("Mullah Omar", "Mullah Mohammed Omar", "Omar")
MUJAHIDEEN = typed("Mujahideen", "the Mujahideen", "Mujahidin")
NINE_ELEVEN = typed("September 11, 2001", "9/11", "2001")
KABUL_YEAR = typed("1996")
ISI = typed("ISI", "Inter-Services Intelligence")
KP = typed("Khyber Pakhtunkhwa", "KP")
ZURICH = typed("Zürich")
STRASSE = typed("Straße")
URDU = typed("ملا عمر")
EXACT = typed("H2O", "H₂O", exact=True)
KIND_OF = Card(id="b", kind=Kind.BASIC, prompt="Q", answer="Kandahar", accept=("Kandahar",))
CLOZE = Card(id="c.c1", kind=Kind.CLOZE, prompt="Taken in {{...}}", answer="1996", accept=("1996",))

CHOICES = ("Pervez Musharraf", "Nawaz Sharif", "Benazir Bhutto", "Asif Ali Zardari")
MUSHARRAF = Card(
    id="c",
    kind=Kind.CHOICE,
    prompt="Q",
    answer="Pervez Musharraf",
    accept=("Pervez Musharraf",),
    choices=CHOICES,
)
SHUFFLED = ("Nawaz Sharif", "Asif Ali Zardari", "Pervez Musharraf", "Benazir Bhutto")

NEIGHBOURS = ("Iran", "India", "Russia", "China", "United States")
RIVALS = Card(
    id="m", kind=Kind.MULTI, prompt="Q", answer="Iran; India", accept=("Iran", "India"), choices=NEIGHBOURS
)

EVENTS = ("Soviet withdrawal", "Taliban take Kabul", "September 11 attacks", "US withdrawal")
TIMELINE = Card(id="o", kind=Kind.ORDER, prompt="Q", answer=" → ".join(EVENTS), accept=EVENTS)
# Shown as: 1 US withdrawal, 2 Soviet withdrawal, 3 September 11 attacks, 4 Taliban take Kabul.
TIMELINE_SHOWN = ("US withdrawal", "Soviet withdrawal", "September 11 attacks", "Taliban take Kabul")

FALSE_CARD = Card(
    id="f", kind=Kind.TRUEFALSE, prompt="Support was unconditional.", answer="false", accept=("false",)
)
TRUE_CARD = Card(id="tt", kind=Kind.TRUEFALSE, prompt="9/11 changed it.", answer="true", accept=("true",))


# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Mullah   Omar ", "mullah omar"),
        ("mullah ómar", "mullah omar"),
        ("Zürich", "zurich"),
        ("Straße", "strasse"),
        ("STRASSE", "strasse"),
        ("İstanbul", "istanbul"),
        ("Øresund", "oresund"),
        ("Ελλάδα", "ελλαδα"),
        ("Khyber-Pakhtunkhwa", "khyber pakhtunkhwa"),
        ("Pakistan's", "pakistans"),
        ("Pakistan’s", "pakistans"),
        ("U.S.A.", "usa"),
        ("The Mujahideen.", "mujahideen"),
        ("an apple", "apple"),
        ("the", "the"),
        ("A", "a"),
        ("Vitamin A", "vitamin a"),
        ("September 11, 2001", "september 11 2001"),
        ("9/11", "9 11"),
        ("3.14", "3 14"),
        ("1,000,000", "1000000"),
        ("١٩٩٦", "1996"),
        ("ﬁnal", "final"),
        ("ملا عمر", "ملا عمر"),
        ("مُلَّا عُمَر", "ملا عمر"),
        ("खैबर पख़्तूनख़्वा", "खैबर पख़्तूनख़्वा"),
        ("がっこう", "がっこう"),
        ("soft\u00adhyphen", "softhyphen"),
        ("?!", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_marks_that_make_a_different_letter_are_kept() -> None:
    # Japanese dakuten and Devanagari vowel signs are letters, not accents.
    assert normalize("がっこう") != normalize("かっこう")
    assert normalize("कि") != normalize("क")


@pytest.mark.parametrize(
    ("answer", "allowance"),
    [
        ("KP", 0),
        ("Omar", 0),
        ("Iran", 0),
        ("1996", 0),
        ("Kabul", 1),
        ("Pashtun", 1),
        ("Pakistan", 1),
        ("Mujahideen", 2),
        ("Mullah Omar", 2),
        ("Inter-Services Intelligence", 3),
        ("September 11, 2001", 1),
    ],
)
def test_typo_allowance_grows_with_the_letters_of_the_answer(answer: str, allowance: int) -> None:
    assert typo_allowance(answer) == allowance


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("", "abc", 3),
        ("kabul", "kabul", 0),
        ("kabul", "kabol", 1),
        ("kabul", "kbaul", 1),
        ("ca", "abc", 2),
        ("kitten", "sitting", 3),
        ("ómar", "omar", 1),
    ],
)
def test_damerau_levenshtein(a: str, b: str, distance: int) -> None:
    assert damerau_levenshtein(a, b) == distance == damerau_levenshtein(b, a)


# ---------------------------------------------------------------- typed answers


@pytest.mark.parametrize(
    ("card", "response", "verdict", "matched"),
    [
        (OMAR, "Mullah Omar", RIGHT, "Mullah Omar"),
        (OMAR, "  mullah   ómar. ", RIGHT, "Mullah Omar"),
        (OMAR, "omar", RIGHT, "Omar"),
        (OMAR, "Mullah Mohammed Omar", RIGHT, "Mullah Mohammed Omar"),
        (OMAR, "Mulah Omar", TYPO, "Mullah Omar"),
        (OMAR, "Mullah Omer", WRONG, None),  # a four-letter word gets no typo, even in a phrase
        (OMAR, "Omer", WRONG, None),
        (OMAR, "Mullah", WRONG, None),
        (OMAR, "", WRONG, None),
        (OMAR, "   ", WRONG, None),
        (OMAR, "?", WRONG, None),
        (MUJAHIDEEN, "the mujahideen", RIGHT, "Mujahideen"),
        (MUJAHIDEEN, "Mujahedeen", TYPO, "Mujahideen"),
        (MUJAHIDEEN, "Mujahideeen", TYPO, "Mujahideen"),
        (MUJAHIDEEN, "Mujaehdeen", TYPO, "Mujahideen"),
        (MUJAHIDEEN, "Mujahedin", TYPO, "Mujahidin"),
        (MUJAHIDEEN, "Mojahedin", WRONG, None),  # two edits in nine letters
        (MUJAHIDEEN, "Mujahideenxyz", WRONG, None),
        (MUJAHIDEEN, "Taliban", WRONG, None),
        (ISI, "isi", RIGHT, "ISI"),
        (ISI, "I.S.I.", RIGHT, "ISI"),
        (ISI, "ISA", WRONG, None),
        (ISI, "inter services intelligence", RIGHT, "Inter-Services Intelligence"),
        (ISI, "InterServices Inteligence", TYPO, "Inter-Services Intelligence"),
        (ISI, "Intra-Services Intelligence", WRONG, None),
        (KP, "khyber pakhtunkhwa", RIGHT, "Khyber Pakhtunkhwa"),
        (KP, "Khyber Pakhtoonkhwa", TYPO, "Khyber Pakhtunkhwa"),
        (KP, "KhyberPakhtunkhwa", TYPO, "Khyber Pakhtunkhwa"),
        (KP, "kp", RIGHT, "KP"),
        (KP, "KPK", WRONG, None),
        (ZURICH, "Zurich", RIGHT, "Zürich"),
        (ZURICH, "ZÜRICH", RIGHT, "Zürich"),
        (ZURICH, "Zuerich", TYPO, "Zürich"),
        (STRASSE, "strasse", RIGHT, "Straße"),
        (STRASSE, "Strase", TYPO, "Straße"),
        (URDU, "ملا عمر", RIGHT, "ملا عمر"),
        (URDU, "مُلَّا عُمَر", RIGHT, "ملا عمر"),
        (URDU, "Mullah Omar", WRONG, None),
        (KIND_OF, "kandahar", RIGHT, "Kandahar"),
        (KIND_OF, "Kandhar", TYPO, "Kandahar"),
        (CLOZE, "1996", RIGHT, "1996"),
        (CLOZE, "1997", WRONG, None),
    ],
)
def test_typed_answers_are_graded_leniently(
    card: Card, response: str, verdict: Verdict, matched: str | None
) -> None:
    result = grade(card, response)
    assert (result.verdict, result.matched) == (verdict, matched)
    assert result.expected == card.answer
    assert result.given == response.strip()
    assert result.score == (1.0 if verdict in (RIGHT, TYPO) else 0.0)
    assert bool(result.diff) == (verdict is TYPO)


@pytest.mark.parametrize(
    ("card", "response", "verdict"),
    [
        (KABUL_YEAR, "1996", RIGHT),
        (KABUL_YEAR, "1997", WRONG),
        (KABUL_YEAR, "1969", WRONG),
        (KABUL_YEAR, "199", WRONG),
        (KABUL_YEAR, "in 1996", WRONG),
        (KABUL_YEAR, "١٩٩٦", RIGHT),
        (NINE_ELEVEN, "September 11 2001", RIGHT),
        (NINE_ELEVEN, "Septmber 11, 2001", TYPO),
        (NINE_ELEVEN, "September 11, 2002", WRONG),
        (NINE_ELEVEN, "September 12, 2001", WRONG),
        (NINE_ELEVEN, "September 11 ,2001", RIGHT),
        (NINE_ELEVEN, "9-11", RIGHT),
        (NINE_ELEVEN, "9 / 11", RIGHT),
        (NINE_ELEVEN, "911", WRONG),
        (NINE_ELEVEN, "2001", RIGHT),
        (NINE_ELEVEN, "2011", WRONG),
        (typed("3.14"), "3,14", RIGHT),
        (typed("3.14"), "314", WRONG),
        (typed("1,000"), "1000", RIGHT),
        (typed("Route 66"), "Rout 66", TYPO),
        (typed("Route 66"), "Rout 67", WRONG),
    ],
)
def test_numbers_are_never_passed_on_a_typo(card: Card, response: str, verdict: Verdict) -> None:
    assert grade(card, response).verdict is verdict


@pytest.mark.parametrize(
    ("response", "verdict", "matched"),
    [
        ("H2O", RIGHT, "H2O"),
        ("  H2O\n", RIGHT, "H2O"),
        ("H₂O", RIGHT, "H₂O"),
        ("h2o", WRONG, None),
        ("H2O.", WRONG, None),
        ("H20", WRONG, None),
        ("H 2O", WRONG, None),
        ("", WRONG, None),
    ],
)
def test_exact_turns_leniency_off(response: str, verdict: Verdict, matched: str | None) -> None:
    result = grade(EXACT, response)
    assert (result.verdict, result.matched) == (verdict, matched)


def test_exact_still_equates_composed_and_decomposed_accents() -> None:
    card = typed("Zürich", exact=True)
    assert grade(card, "Zu\u0308rich").verdict is RIGHT
    assert grade(card, "Zurich").verdict is WRONG


@pytest.mark.parametrize(
    ("card", "response", "diff"),
    [
        (MUJAHIDEEN, "Mujahedeen", [("same", "Mujah"), ("extra", "e"), ("missing", "i"), ("same", "deen")]),
        (MUJAHIDEEN, "mujahdeen", [("same", "Mujah"), ("missing", "i"), ("same", "deen")]),
        (
            MUJAHIDEEN,
            "the Mujahidean",
            [("same", "Mujahide"), ("extra", "a"), ("missing", "e"), ("same", "n")],
        ),
        (ZURICH, "zuerich", [("same", "Zü"), ("extra", "e"), ("same", "rich")]),
        (NINE_ELEVEN, "septmber 11 2001", [("same", "Sept"), ("missing", "e"), ("same", "mber 11, 2001")]),
        (
            ISI,
            "InterServices Inteligence",
            [("same", "Inter-Services Intel"), ("missing", "l"), ("same", "igence")],
        ),
    ],
)
def test_a_typo_comes_with_a_diff_against_the_matched_answer(
    card: Card, response: str, diff: list[tuple[str, str]]
) -> None:
    result = grade(card, response)
    assert result.verdict is TYPO
    assert list(result.diff) == diff
    assert all(isinstance(edit, Edit) for edit, _ in result.diff)


def test_the_diff_spells_out_the_answer_from_its_same_and_missing_pieces() -> None:
    result = grade(KP, "khyber pakhtunkwa")
    assert "".join(text for edit, text in result.diff if edit is not Edit.EXTRA) == "Khyber Pakhtunkhwa"
    assert (
        "".join(text for edit, text in result.diff if edit is not Edit.MISSING).casefold()
        == "khyber pakhtunkwa"
    )


def test_an_exact_alternative_wins_over_a_typo_of_an_earlier_one() -> None:
    card = typed("Mujahideen", "Mujahidin")
    result = grade(card, "Mujahidin")
    assert (result.verdict, result.matched) == (RIGHT, "Mujahidin")


# ---------------------------------------------------------------- choice


@pytest.mark.parametrize(
    ("response", "shown", "verdict", "given_text"),
    [
        ("1", None, RIGHT, "Pervez Musharraf"),
        ("2", None, WRONG, "Nawaz Sharif"),
        ("3", SHUFFLED, RIGHT, "Pervez Musharraf"),
        ("1", SHUFFLED, WRONG, "Nawaz Sharif"),
        ("c", SHUFFLED, RIGHT, "Pervez Musharraf"),
        ("C)", SHUFFLED, RIGHT, "Pervez Musharraf"),
        (" (3) ", SHUFFLED, RIGHT, "Pervez Musharraf"),
        ("3.", SHUFFLED, RIGHT, "Pervez Musharraf"),
        ("pervez musharraf", SHUFFLED, RIGHT, "Pervez Musharraf"),
        ("Benazir Bhutto", SHUFFLED, WRONG, "Benazir Bhutto"),
        ("5", SHUFFLED, WRONG, "5"),
        ("e", SHUFFLED, WRONG, "e"),
        ("1 3", SHUFFLED, WRONG, "1 3"),
        ("Musharraf", SHUFFLED, WRONG, "Musharraf"),
        ("", SHUFFLED, WRONG, ""),
    ],
)
def test_choice_by_number_letter_or_text_as_shown(
    response: str, shown: tuple[str, ...] | None, verdict: Verdict, given_text: str
) -> None:
    result = grade(MUSHARRAF, response, shown)
    assert (result.verdict, result.given, result.expected) == (verdict, given_text, "Pervez Musharraf")


def test_a_number_that_is_also_a_choice_reads_as_its_place_and_asks_to_disambiguate() -> None:
    card = Card(
        id="n", kind=Kind.CHOICE, prompt="How many?", answer="3", accept=("3",), choices=("2", "3", "4")
    )
    assert grade(card, "3").given == "4"
    assert understood(card, "3") == "'3' is both choice 3 and the text of choice 2: type the letter c or b"
    assert grade(card, "b").verdict is RIGHT
    assert understood(card, "2") == "'2' is both choice 2 and the text of choice 1: type the letter b or a"
    assert grade(card, "2").verdict is RIGHT
    # Not a place among three, so only the text can be meant.
    assert understood(card, "4") is None
    assert grade(card, "4").given == "4"


# ---------------------------------------------------------------- multi


@pytest.mark.parametrize(
    ("response", "shown", "verdict", "score", "picked_right", "picked_wrong", "missed"),
    [
        ("1 2", None, RIGHT, 1.0, ("Iran", "India"), (), ()),
        ("2,1", None, RIGHT, 1.0, ("Iran", "India"), (), ()),
        ("12", None, RIGHT, 1.0, ("Iran", "India"), (), ()),
        ("a b", None, RIGHT, 1.0, ("Iran", "India"), (), ()),
        ("ab", None, RIGHT, 1.0, ("Iran", "India"), (), ()),
        ("1 and 2", None, RIGHT, 1.0, ("Iran", "India"), (), ()),
        ("1, 1, 2", None, RIGHT, 1.0, ("Iran", "India"), (), ()),
        ("india; iran", None, RIGHT, 1.0, ("Iran", "India"), (), ()),
        ("Iran, 2", None, RIGHT, 1.0, ("Iran", "India"), (), ()),
        ("1", None, PARTIAL, 0.5, ("Iran",), (), ("India",)),
        ("Iran", None, PARTIAL, 0.5, ("Iran",), (), ("India",)),
        ("1 2 3", None, PARTIAL, 0.5, ("Iran", "India"), ("Russia",), ()),
        ("1 3", None, WRONG, 0.0, ("Iran",), ("Russia",), ("India",)),
        ("1 3 4", None, WRONG, 0.0, ("Iran",), ("Russia", "China"), ("India",)),
        ("3 4", None, WRONG, 0.0, (), ("Russia", "China"), ("Iran", "India")),
        ("12345", None, WRONG, 0.0, ("Iran", "India"), ("Russia", "China", "United States"), ()),
        # Shown shuffled: 1 China, 2 India, 3 United States, 4 Iran, 5 Russia.
        ("2 4", ("China", "India", "United States", "Iran", "Russia"), RIGHT, 1.0, ("Iran", "India"), (), ()),
        (
            "1 2",
            ("China", "India", "United States", "Iran", "Russia"),
            WRONG,
            0.0,
            ("India",),
            ("China",),
            ("Iran",),
        ),
    ],
)
def test_multi_scores_right_minus_wrong_over_the_right_ones(
    response: str,
    shown: tuple[str, ...] | None,
    verdict: Verdict,
    score: float,
    picked_right: tuple[str, ...],
    picked_wrong: tuple[str, ...],
    missed: tuple[str, ...],
) -> None:
    result = grade(RIVALS, response, shown)
    assert (result.verdict, result.score) == (verdict, score)
    assert (result.picked_right, result.picked_wrong, result.missed) == (picked_right, picked_wrong, missed)


def test_multi_logs_the_picks_in_the_decks_order_whatever_the_shuffle() -> None:
    shown = ("China", "India", "United States", "Iran", "Russia")
    assert grade(RIVALS, "4 2 1", shown).given == "Iran; India; China"


@pytest.mark.parametrize("response", ["", "6", "0", "1 9", "x", "1 x", "Irn", "Iran, Germany"])
def test_multi_input_that_cannot_be_read(response: str) -> None:
    assert understood(RIVALS, response) == "type the numbers of all the right choices, from 1 to 5, e.g. 1 3"
    result = grade(RIVALS, response)
    assert (result.verdict, result.missed) == (WRONG, ("Iran", "India"))


# ---------------------------------------------------------------- order


@pytest.mark.parametrize(
    ("response", "shown", "verdict", "score", "positions"),
    [
        ("1 2 3 4", None, RIGHT, 1.0, (True, True, True, True)),
        ("1234", None, RIGHT, 1.0, (True, True, True, True)),
        ("1,2,3,4", None, RIGHT, 1.0, (True, True, True, True)),
        ("a b c d", None, RIGHT, 1.0, (True, True, True, True)),
        ("2 1 3 4", None, PARTIAL, 0.5, (False, False, True, True)),
        ("4 3 2 1", None, WRONG, 0.0, (False, False, False, False)),
        ("2 3 4 1", None, WRONG, 0.0, (False, False, False, False)),
        ("2 4 3 1", TIMELINE_SHOWN, RIGHT, 1.0, (True, True, True, True)),
        ("2431", TIMELINE_SHOWN, RIGHT, 1.0, (True, True, True, True)),
        ("1 2 3 4", TIMELINE_SHOWN, PARTIAL, 0.25, (False, False, True, False)),
    ],
)
def test_order_by_positions_of_the_shown_items(
    response: str, shown: tuple[str, ...] | None, verdict: Verdict, score: float, positions: tuple[bool, ...]
) -> None:
    result = grade(TIMELINE, response, shown)
    assert (result.verdict, result.score, result.positions) == (verdict, score, positions)
    assert result.proposed_rating is (Rating.GOOD if verdict is RIGHT else Rating.AGAIN)


def test_order_logs_the_sequence_typed() -> None:
    result = grade(TIMELINE, "2 1 3 4")
    assert result.given == "Taliban take Kabul → Soviet withdrawal → September 11 attacks → US withdrawal"
    assert result.expected == TIMELINE.answer


@pytest.mark.parametrize(
    "response", ["", "1 2 3", "1 2 3 4 4", "1 1 2 3", "1 2 3 5", "0 1 2 3", "first", "1 2 3 x"]
)
def test_order_needs_each_place_once(response: str) -> None:
    assert (
        understood(TIMELINE, response)
        == "type the numbers 1 to 4 in the right order, each once, e.g. 4 3 2 1"
    )
    result = grade(TIMELINE, response)
    assert (result.verdict, result.positions) == (WRONG, (False,) * 4)


# ---------------------------------------------------------------- true/false


@pytest.mark.parametrize(
    ("card", "response", "verdict", "given_text"),
    [
        (FALSE_CARD, "f", RIGHT, "false"),
        (FALSE_CARD, "F", RIGHT, "false"),
        (FALSE_CARD, "false", RIGHT, "false"),
        (FALSE_CARD, " False. ", RIGHT, "false"),
        (FALSE_CARD, "n", RIGHT, "false"),
        (FALSE_CARD, "No", RIGHT, "false"),
        (FALSE_CARD, "t", WRONG, "true"),
        (FALSE_CARD, "yes", WRONG, "true"),
        (TRUE_CARD, "T", RIGHT, "true"),
        (TRUE_CARD, "TRUE", RIGHT, "true"),
        (TRUE_CARD, "y", RIGHT, "true"),
        (TRUE_CARD, "no", WRONG, "false"),
        (TRUE_CARD, "1", WRONG, "1"),
        (TRUE_CARD, "maybe", WRONG, "maybe"),
    ],
)
def test_true_false_forms(card: Card, response: str, verdict: Verdict, given_text: str) -> None:
    result = grade(card, response)
    assert (result.verdict, result.given, result.expected) == (verdict, given_text, card.answer)


# ---------------------------------------------------------------- understood


@pytest.mark.parametrize(
    ("card", "response", "shown", "message"),
    [
        (MUSHARRAF, "", None, "type a number from 1 to 4, a letter from a to d, or the choice itself"),
        (MUSHARRAF, "5", None, "type a number from 1 to 4, a letter from a to d, or the choice itself"),
        (MUSHARRAF, "1 2", None, "type a number from 1 to 4, a letter from a to d, or the choice itself"),
        (
            MUSHARRAF,
            "Musharaf",
            None,
            "type a number from 1 to 4, a letter from a to d, or the choice itself",
        ),
        (MUSHARRAF, "3", SHUFFLED, None),
        (MUSHARRAF, "d", SHUFFLED, None),
        (MUSHARRAF, "nawaz sharif", SHUFFLED, None),
        (RIVALS, "1 2", None, None),
        (RIVALS, "?", None, "type the numbers of all the right choices, from 1 to 5, e.g. 1 3"),
        (TIMELINE, "4 3 2 1", None, None),
        (TIMELINE, "4 3 2", None, "type the numbers 1 to 4 in the right order, each once, e.g. 4 3 2 1"),
        (TRUE_CARD, "yes", None, None),
        (TRUE_CARD, "", None, "type t for true or f for false"),
        (TRUE_CARD, "1", None, "type t for true or f for false"),
        (OMAR, "", None, None),
        (OMAR, "anything at all", None, None),
        (KIND_OF, "", None, None),
        (CLOZE, "", None, None),
    ],
)
def test_understood_says_what_to_type(
    card: Card, response: str, shown: tuple[str, ...] | None, message: str | None
) -> None:
    assert understood(card, response, shown) == message


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("response", "n", "choice", "choices", "order"),
    [
        ("2", 4, 1, (1,), None),
        ("b", 4, 1, (1,), None),
        ("B)", 4, 1, (1,), None),
        ("3 1 2", 3, None, (0, 1, 2), (2, 0, 1)),
        ("312", 3, None, (0, 1, 2), (2, 0, 1)),
        ("c, a, b", 3, None, (0, 1, 2), (2, 0, 1)),
        ("cab", 3, None, (0, 1, 2), (2, 0, 1)),
        ("12 34", 4, None, (0, 1, 2, 3), (0, 1, 2, 3)),
        ("10", 12, 9, (9,), None),
        ("10", 4, None, None, None),
        ("12", 12, 11, (11,), None),
        ("0", 4, None, None, None),
        ("", 4, None, None, None),
        ("z", 4, None, None, None),
        ("two", 4, None, None, None),
        ("١", 4, 0, (0,), None),
    ],
)
def test_parse_numbers_and_letters(
    response: str, n: int, choice: int | None, choices: tuple[int, ...] | None, order: tuple[int, ...] | None
) -> None:
    assert parse_choice(response, n) == choice
    assert parse_choices(response, n) == choices
    assert parse_order(response, n) == order


# ---------------------------------------------------------------- rating and score


@pytest.mark.parametrize(
    ("verdict", "rating", "right"),
    [
        (RIGHT, Rating.GOOD, True),
        (TYPO, Rating.GOOD, True),
        (PARTIAL, Rating.AGAIN, False),
        (WRONG, Rating.AGAIN, False),
    ],
)
def test_proposed_rating(verdict: Verdict, rating: Rating, right: bool) -> None:
    result = Grade(verdict, 1.0, "a", "a")
    assert (result.proposed_rating, result.right) == (rating, right)


# ---------------------------------------------------------------- properties

SHORT = st.text(alphabet="abcé ", max_size=7)
CARDS = [OMAR, NINE_ELEVEN, KABUL_YEAR, URDU, EXACT, KIND_OF, CLOZE, MUSHARRAF, RIVALS, TIMELINE, TRUE_CARD]


@given(SHORT, SHORT)
def test_distance_is_symmetric_and_zero_only_for_equal_strings(a: str, b: str) -> None:
    distance = damerau_levenshtein(a, b)
    assert distance == damerau_levenshtein(b, a)
    assert (distance == 0) == (a == b)
    assert abs(len(a) - len(b)) <= distance <= max(len(a), len(b))


@given(SHORT, SHORT, SHORT)
def test_distance_obeys_the_triangle_inequality(a: str, b: str, c: str) -> None:
    assert damerau_levenshtein(a, c) <= damerau_levenshtein(a, b) + damerau_levenshtein(b, c)


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip() and "  " not in once


@settings(max_examples=300)
@given(st.sampled_from(CARDS), st.text(), st.randoms(use_true_random=False))
def test_grade_never_raises_and_stays_consistent(card: Card, response: str, rng) -> None:  # type: ignore[no-untyped-def]
    shown = list(card.choices or card.accept)
    rng.shuffle(shown)
    result = grade(card, response, shown)
    message = understood(card, response, shown)
    assert 0.0 <= result.score <= 1.0
    assert (result.score == 1.0) == result.right
    if message is not None:
        assert result.verdict is WRONG
    if result.verdict is TYPO:
        assert result.diff and result.matched in card.accept


@given(
    st.sampled_from(CARDS),
    st.sampled_from(["", " ", "1", "a", "1 2", "t", "\x00", "\u0301", "٣", "ab c", "1,2;3"]),
)
def test_grade_never_raises_on_odd_input(card: Card, response: str) -> None:
    grade(card, response)
    understood(card, response)


def test_a_card_answered_with_its_own_answer_is_right() -> None:
    for card in (OMAR, NINE_ELEVEN, KABUL_YEAR, URDU, EXACT, KIND_OF, CLOZE, MUSHARRAF, TRUE_CARD):
        assert grade(card, card.answer).verdict is RIGHT, card
