"""Writing decks: content warnings, `quizkit new`, `quizkit add`, and the TOML they write."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core import ids, lint
from quizkit.io import deck_files, deck_parse, deck_write, disk
from quizkit.model import Kind

from conftest import BUNDLED
from tests_support import HEAD


def warnings_for(body: str) -> list[str]:
    deck, problems = deck_parse.parse_deck(HEAD + body, "d.toml", default_id="d")
    assert deck is not None, problems
    return [f"{p.line}:{p.card}: {p.message}" for p in lint.content_problems(deck)]


# ---------------------------------------------------------------- content checks


def test_bundled_decks_have_no_content_warnings() -> None:
    for path in deck_files.bundled_deck_files():
        assert lint.content_problems(deck_files.load_deck(path)) == [], path


def test_duplicate_question_is_reported_on_the_second_card() -> None:
    found = warnings_for(
        '[[cards]]\nid = "a"\nq = "Who led the Taliban?"\na = "Omar"\n'
        '[[cards]]\nid = "b"\nq = "who led the  Taliban"\nchoices = ["Omar", "Massoud"]\na = "Omar"\n'
    )
    assert found == ["7:b: asks the same question as card a (line 3)"]


def test_choice_answer_much_longer_than_every_distractor_is_a_giveaway() -> None:
    found = warnings_for(
        '[[cards]]\nid = "c"\nq = "Why did Pakistan back the Taliban?"\n'
        'choices = ["To secure a friendly government on its western border against India", "Oil", "Trade", "Chance"]\n'
        'a = "To secure a friendly government on its western border against India"\n'
    )
    assert found == [
        "3:c: the right answer is much longer than every other choice (67 characters against at most 6): "
        "it can be picked without knowing it"
    ]


@pytest.mark.parametrize(
    ("choices", "answer"),
    [
        # The bundled deck's case: a longer place name is not a giveaway.
        (["Khyber Pakhtunkhwa", "Punjab", "Sindh", "Balochistan"], "Khyber Pakhtunkhwa"),
        # One distractor as long as the answer is enough.
        (
            ["A very long and specific right answer", "A very long and specific wrong answer", "No"],
            "A very long and specific right answer",
        ),
        # Short answers differ by chance.
        (["Yes", "No"], "Yes"),
    ],
)
def test_fair_choice_lengths_are_not_flagged(choices: list[str], answer: str) -> None:
    body = f'[[cards]]\nid = "c"\nq = "Q?"\nchoices = {json.dumps(choices)}\na = "{answer}"\n'
    assert warnings_for(body) == []


def test_multi_right_answers_all_longer_than_the_wrong_ones() -> None:
    found = warnings_for(
        '[[cards]]\nid = "m"\nq = "Q?"\n'
        'choices = ["Shared Pashtun ethnic and tribal links", "Securing its western flank from India", "Oil", "Gold"]\n'
        'a = ["Shared Pashtun ethnic and tribal links", "Securing its western flank from India"]\n'
    )
    assert len(found) == 1 and "every right answer is much longer" in found[0]


def test_typed_answer_too_long_to_type_unless_a_short_form_is_accepted() -> None:
    long_answer = "The Federally Administered Tribal Areas of north-west Pakistan"
    body = f'[[cards]]\nid = "t"\ntype = "typed"\nq = "Where?"\na = "{long_answer}"\n'
    found = warnings_for(body)
    assert len(found) == 1 and "too long to type (8 words, 62 characters" in found[0]
    assert warnings_for(body + 'accept = ["FATA"]\n') == []


def test_cloze_deletions_that_give_each_other_away() -> None:
    found = warnings_for(
        '[[cards]]\nid = "z"\ncloze = "{{Kabul}} fell in 1996; {{Kabul}} is the capital."\n'
        '[[cards]]\nid = "y"\ncloze = "The {{Nile}} delta is where the Nile meets the sea."\n'
    )
    assert found == [
        "3:z: deletion 1 ('Kabul') can be read elsewhere in the sentence while it is hidden",
        "3:z: deletion 2 ('Kabul') can be read elsewhere in the sentence while it is hidden",
        "6:y: deletion 1 ('Nile') can be read elsewhere in the sentence while it is hidden",
    ]


def test_cloze_answer_inside_a_longer_word_is_no_giveaway() -> None:
    assert (
        warnings_for('[[cards]]\nid = "z"\ncloze = "The {{Indus}} flows through Industrial areas."\n') == []
    )


def test_missing_explanation_or_tags_is_flagged_where_the_deck_mostly_has_them() -> None:
    cards = "".join(
        f'[[cards]]\nid = "c{n}"\nq = "Question {n}?"\na = "A{n}"\ntags = ["t"]\nexplain = "Why {n}."\n'
        for n in range(3)
    )
    found = warnings_for(cards + '[[cards]]\nid = "bare"\nq = "Bare?"\na = "B"\n')
    assert found == ["21:bare: has no explanation", "21:bare: has no tags"]


def test_a_deck_without_any_explanations_is_a_choice_not_a_slip() -> None:
    assert (
        warnings_for('[[cards]]\nid = "a"\nq = "Q1"\na = "A1"\n[[cards]]\nid = "b"\nq = "Q2"\na = "A2"\n')
        == []
    )


# ---------------------------------------------------------------- validate --strict


STALE = HEAD + '[[cards]]\nid = "a"\nq = "Same?"\na = "A"\n[[cards]]\nid = "b"\nq = "Same?"\na = "B"\n'


def test_validate_prints_content_warnings_with_file_line_and_card(runner: CliRunner, write_deck) -> None:
    path = write_deck(STALE)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}:7: warning: card b: asks the same question as card a (line 3)" in result.output
    assert "1 deck file: 0 errors, 1 warning" in result.output


def test_validate_strict_turns_warnings_into_errors(runner: CliRunner, write_deck) -> None:
    path = write_deck(STALE)
    result = runner.invoke(app, ["validate", "--strict", str(path)])
    assert result.exit_code == 1
    assert f"{path}:7: error: card b: asks the same question" in result.output
    assert "1 deck file: 1 error, 0 warnings" in result.output
    data = json.loads(runner.invoke(app, ["validate", "--strict", "--json", str(path)]).output)
    assert data["errors"] == 1 and data["decks"][0]["valid"] is False


def test_validate_strict_passes_the_bundled_decks(runner: CliRunner) -> None:
    result = runner.invoke(app, ["validate", "--strict", str(BUNDLED)])
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- ids and TOML


def test_readable_id_skips_small_words_and_stays_unique() -> None:
    assert ids.readable_id("Which river flows through Cairo?") == "river-flows-through-cairo"
    assert ids.readable_id("Which river flows through Cairo?", {"river-flows-through-cairo"}) == (
        "river-flows-through-cairo-2"
    )
    assert ids.readable_id("Où est Genève ?") == "ou-est-geneve"
    assert ids.readable_id("?!") == "card"
    assert ids.ID_PATTERN.match(ids.readable_id("x" * 300))


def test_dump_card_writes_keys_in_order_and_short_lists_inline() -> None:
    block = deck_write.dump_card(
        {
            "tags": ["a", "b"],
            "a": "Nile",
            "q": 'Say "hi"',
            "id": "x",
            "choices": ["Nile", "Congo"],
            "explain": "E",
        }
    )
    assert block == (
        '[[cards]]\nid = "x"\nq = "Say \\"hi\\""\na = "Nile"\nchoices = ["Nile", "Congo"]\n'
        'tags = ["a", "b"]\nexplain = "E"\n'
    )
    long_block = deck_write.dump_card(
        {"id": "x", "q": "Q", "order": [f"item number {n} is long enough" for n in range(5)]}
    )
    assert 'order = [\n    "item number 0 is long enough",\n' in long_block


card_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(str.strip)


@settings(max_examples=60, deadline=None)
@given(q=card_text, a=card_text, accept=st.lists(card_text, max_size=4), explain=card_text)
def test_dump_card_round_trips_through_the_toml_parser(
    q: str, a: str, accept: list[str], explain: str
) -> None:
    table = {"id": "x", "q": q, "a": a, "accept": accept, "explain": explain}
    parsed = tomllib.loads(deck_write.dump_card(table))["cards"][0]
    assert parsed == table


# ---------------------------------------------------------------- quizkit new


def test_new_creates_a_valid_deck_with_a_commented_example_of_every_kind(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "rivers.toml"
    result = runner.invoke(app, ["new", str(path), "--title", 'Rivers "of" the world', "--author", "Ms Khan"])
    assert result.exit_code == 0, result.output
    assert "created" in result.output
    text = path.read_text(encoding="utf-8")
    deck, problems = deck_parse.parse_deck(text, str(path), default_id="rivers")
    assert deck is not None and deck.title == 'Rivers "of" the world' and deck.author == "Ms Khan"
    assert [p.message for p in problems] == ["deck has no cards"]
    # Uncommenting the examples gives one valid card of every kind.
    uncommented = re.sub(r"(?m)^# (\[\[cards\]\]|[a-z]+ = .*)$", r"\1", text)
    deck, problems = deck_parse.parse_deck(uncommented, str(path))
    assert deck is not None, problems
    assert {card.kind for card in deck.cards} == set(Kind)
    assert lint.content_problems(deck) == []


def test_new_never_overwrites_and_wants_a_toml_name(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("keep me", encoding="utf-8")
    result = runner.invoke(app, ["new", str(path)])
    assert result.exit_code == 2 and "already exists" in result.output
    assert path.read_text(encoding="utf-8") == "keep me"
    result = runner.invoke(app, ["new", str(tmp_path / "deck.txt")])
    assert result.exit_code == 2 and "deck files end in .toml" in result.output
    assert not (tmp_path / "deck.txt").exists()


def test_new_takes_the_title_and_id_from_the_file_name(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "world capitals!.toml"
    assert runner.invoke(app, ["new", str(path)]).exit_code == 0
    deck, _ = deck_parse.parse_deck(path.read_text(encoding="utf-8"), str(path))
    assert deck is not None and (deck.id, deck.title) == ("world-capitals", "World capitals!")


# ---------------------------------------------------------------- quizkit add

DECK = """# My deck: keep this comment.
[deck]
title = "Geography"   # and this one

[[cards]]
id = "capital-australia"
q = "What is the capital of Australia?"
a = "Canberra"
tags = ["capitals", "oceania"]
explain = "A compromise."
"""


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (
            ["", "What is the capital of France?", "Paris", "y", "capitals", "Since 508.", "Britannica"],
            'id = "capital-france"\nq = "What is the capital of France?"\na = "Paris"\nreverse = true\n'
            'tags = ["capitals"]\nexplain = "Since 508."\nsource = "Britannica"\n',
        ),
        (
            ["typed", "In which year did South Sudan become independent?", "2011", "", "dates", "", ""],
            'id = "year-south-sudan-become-independent"\ntype = "typed"\n'
            'q = "In which year did South Sudan become independent?"\na = "2011"\ntags = ["dates"]\n',
        ),
        (
            [
                "typed",
                "Which river flows through Cairo?",
                "Nile",
                "the Nile",
                "River Nile",
                "",
                "rivers",
                "",
                "",
            ],
            'id = "river-flows-through-cairo"\nq = "Which river flows through Cairo?"\na = "Nile"\n'
            'accept = ["the Nile", "River Nile"]\ntags = ["rivers"]\n',
        ),
        (
            ["mc", "Largest ocean?", "Pacific", "Atlantic", "", "1", "oceans", "", ""],
            'id = "largest-ocean"\nq = "Largest ocean?"\na = "Pacific"\nchoices = ["Pacific", "Atlantic"]\n'
            'tags = ["oceans"]\n',
        ),
        (
            ["multi", "Landlocked?", "Bolivia", "Chile", "Mongolia", "", "1 3", "", "", ""],
            'id = "landlocked"\nq = "Landlocked?"\na = ["Bolivia", "Mongolia"]\n'
            'choices = ["Bolivia", "Chile", "Mongolia"]\n',
        ),
        (
            ["tf", "The Sahara is the largest desert.", "false", "", "", ""],
            'id = "sahara-largest-desert"\nq = "The Sahara is the largest desert."\na = false\n',
        ),
        (
            ["cloze", "Everest lies between {{Nepal}} and {{China::a country}}.", "", "", "", ""],
            'id = "everest-lies-between-nepal-china"\n'
            'cloze = "Everest lies between {{Nepal}} and {{China::a country}}."\n',
        ),
        (
            ["order", "Planets from the Sun?", "Mercury", "Venus", "", "", "", ""],
            'id = "planets-sun"\nq = "Planets from the Sun?"\norder = ["Mercury", "Venus"]\n',
        ),
    ],
)
def test_add_appends_one_neat_block_and_leaves_the_rest_of_the_file_as_it_was(
    runner: CliRunner, write_deck, answers: list[str], expected: str
) -> None:
    path = write_deck(DECK)
    result = runner.invoke(app, ["add", str(path)], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert text.startswith(DECK)
    assert text[len(DECK) :] == "\n[[cards]]\n" + expected
    assert "added card" in result.output
    deck, problems = deck_parse.parse_deck(text, str(path))
    assert deck is not None and not [p for p in problems if p.severity == "error"]


def test_add_offers_the_decks_tags_and_asks_again_after_a_bad_answer(runner: CliRunner, write_deck) -> None:
    path = write_deck(DECK)
    answers = ["essay", "choice", "Q?", "A", "", "A", "B", "", "7", "2", "a/b", "", "", ""]
    result = runner.invoke(app, ["add", str(path)], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "'essay' is not a kind of card" in result.output
    assert "give at least 2" in result.output
    assert "already in the list" in result.output
    assert "'a/b' is not a tag" in result.output
    assert "type the number of the right choice, 1 to 2" in result.output
    assert "(this deck uses: capitals oceania)" in result.output
    assert path.read_text(encoding="utf-8").endswith('a = "B"\nchoices = ["A", "B"]\n')


def test_add_keeps_a_crlf_file_crlf_and_byte_for_byte(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "deck.toml"
    original = ("\ufeff" + DECK.rstrip("\n")).replace("\n", "\r\n").encode("utf-8")  # BOM, no final newline
    path.write_bytes(original)
    answers = ["", "Capital of Peru?", "Lima", "", "", "", ""]
    result = runner.invoke(app, ["add", str(path)], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    data = path.read_bytes()
    assert data.startswith(original)
    assert (
        data[len(original) :]
        == b'\r\n\r\n[[cards]]\r\nid = "capital-peru"\r\nq = "Capital of Peru?"\r\na = "Lima"\r\n'
    )


def test_add_gives_a_repeated_question_its_own_id_and_warns(runner: CliRunner, write_deck) -> None:
    path = write_deck(DECK)
    answers = ["", "What is the capital of Australia?", "Canberra", "", "capitals", "Why.", ""]
    result = runner.invoke(app, ["add", str(path)], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert 'id = "capital-australia-2"' in path.read_text(encoding="utf-8")
    assert (
        "warning: card capital-australia-2: asks the same question as card capital-australia" in result.output
    )


def test_add_that_runs_out_of_input_writes_nothing(runner: CliRunner, write_deck) -> None:
    path = write_deck(DECK)
    result = runner.invoke(app, ["add", str(path)], input="choice\nWhich?\n")
    assert result.exit_code == 2
    assert "the input ended before the card was complete; nothing was written" in result.output
    assert path.read_text(encoding="utf-8") == DECK
    assert [p.name for p in path.parent.iterdir()] == ["deck.toml"]


def test_add_refuses_a_broken_deck(runner: CliRunner, write_deck) -> None:
    path = write_deck(DECK + "anwser = 1\n")
    result = runner.invoke(app, ["add", str(path)], input="\n" * 20)
    assert result.exit_code == 1
    assert "unknown key 'anwser'" in result.output
    assert path.read_text(encoding="utf-8") == DECK + "anwser = 1\n"


def test_add_refuses_a_card_the_loader_rejects(runner: CliRunner, write_deck) -> None:
    path = write_deck(DECK)
    answers = ["cloze", "No braces here", "Kabul {{fell}} in {{1996", "", "", "", ""]
    result = runner.invoke(app, ["add", str(path)], input="\n".join(answers) + "\n")
    assert result.exit_code == 1
    assert "put {{ }} around the words to hide" in result.output
    assert "cloze has an unclosed '{{' or a stray '}}'" in result.output
    assert path.read_text(encoding="utf-8") == DECK


def test_add_to_a_missing_deck(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["add", str(tmp_path / "nope.toml")])
    assert result.exit_code == 1
    assert "nope.toml: error: no such file" in result.output


@pytest.mark.slow
def test_add_in_a_real_terminal(tmp_path: Path) -> None:
    import os
    import sys

    import pexpect

    path = tmp_path / "deck.toml"
    path.write_text(DECK, encoding="utf-8")
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "30"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "quizkit", "add", str(path)],
        env=env,
        encoding="utf-8",
        timeout=20,
        dimensions=(30, 80),
    )
    try:
        for prompt, answer in [
            ("Kind of card", "truefalse"),
            ("Statement to judge: ", "Canberra is the largest city in Australia."),
            (r"Is it true\? \(true/false\): ", "f"),
            (r"this deck uses: capitals oceania\): ", "capitals"),
            (r"Explanation, why the answer is right \(optional\): ", "Sydney is."),
            (r"Source \(optional\): ", ""),
        ]:
            child.expect(prompt)
            child.sendline(answer)
        child.expect("added card 'canberra-largest-city-australia'")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert path.read_text(encoding="utf-8").endswith(
        '[[cards]]\nid = "canberra-largest-city-australia"\nq = "Canberra is the largest city in Australia."\n'
        'a = false\ntags = ["capitals"]\nexplain = "Sydney is."\n'
    )


def test_a_failed_write_leaves_the_file_as_it_was(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    from quizkit.errors import DeckError

    path = tmp_path / "d.toml"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    disk.write_atomic(path, b"new")
    assert path.read_bytes() == b"new" and path.stat().st_mode & 0o777 == 0o640

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(DeckError) as caught:
        disk.write_atomic(path, b"newer")
    assert str(caught.value) == f"{path}: cannot be written: No space left on device"
    assert path.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["d.toml"]
