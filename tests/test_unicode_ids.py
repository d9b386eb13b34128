"""Letters of any script in card ids, deck ids and tags (Révolution, élan), NFC-normalised; the
characters that would break a file name, a CSV cell, an Anki tag or the card id scheme refused."""

from __future__ import annotations

import csv
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.core import ids
from quizkit.io import deck_parse, deck_write, imported

from tests_support import HEAD

NFD_ELAN = unicodedata.normalize("NFD", "élan")

DECK = (
    '[deck]\ntitle = "Vocabulaire"\nid = "français"\n'
    '[[cards]]\nid = "élan"\nq = "Un élan, en anglais?"\na = "momentum"\ntags = ["Révolution", "词汇"]\n'
    '[[cards]]\nid = "ревизия"\nq = "Vrai ou faux: 1789."\na = true\ntags = ["Révolution"]\n'
)


def _problems(body: str) -> list[str]:
    _, problems = deck_parse.parse_deck(HEAD + body, "d.toml")
    return [p.message for p in problems if p.severity == "error"]


@pytest.mark.parametrize("good", ["élan", "Révolution", "词汇", "ревизия", "x2", "a.b_c-d", "١٩٩٦"])
def test_letters_and_digits_of_any_script_are_ids(good: str) -> None:
    assert ids.ID_PATTERN.match(good)


@pytest.mark.parametrize(
    "bad", ["a b", "a::b", "a/b", "a\\b", "a,b", 'a"b', "a\tb", "x\n", "a\u200bb", "_x", ".x", "-x", ""]
)
def test_spaces_controls_and_separators_are_not(bad: str) -> None:
    assert not ids.ID_PATTERN.match(bad)


def test_a_deck_with_unicode_ids_and_tags_loads() -> None:
    deck = deck_parse.parse_valid(DECK, "d.toml")
    assert deck.id == "français"
    assert [c.id for c in deck.cards] == ["élan", "ревизия"]
    assert deck.cards[0].tags == ("Révolution", "词汇")


def test_ids_and_tags_are_nfc_normalised() -> None:
    text = f'[[cards]]\nid = "{NFD_ELAN}"\nq = "Q"\na = "A"\ntags = ["{NFD_ELAN}"]\n'
    (card,) = deck_parse.parse_valid(HEAD + text, "d.toml").cards
    assert card.id == "élan" and card.tags == ("élan",)


def test_every_bad_tag_is_reported_at_once() -> None:
    messages = _problems('[[cards]]\nid = "x"\nq = "Q"\na = "A"\ntags = ["ok", "two words", "a::b", "c/d"]\n')
    assert messages == ["tags 'two words', 'a::b', 'c/d' are not valid tags"]


def test_a_file_name_in_another_script_keeps_its_old_ascii_deck_id() -> None:
    # Deck ids key progress: a deck file named révolution.toml has always been "revolution".
    assert ids.deck_id_for("révolution") == "revolution"
    assert ids.deck_id_for(unicodedata.normalize("NFD", "révolution")) == "revolution"


def test_imported_tags_keep_their_letters() -> None:
    assert imported.clean_tag("géographie") == "géographie"
    assert imported.clean_tag(unicodedata.normalize("NFD", "géographie")) == "géographie"
    assert imported.clean_tag("地理") == "地理"
    assert imported.clean_tag("europe::france") == "europe.france"


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    path = tmp_path / "vocabulaire.toml"
    path.write_text(DECK, encoding="utf-8")
    return path


def test_unicode_ids_survive_csv_and_anki_round_trips(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    before = deck_write.load_tables(deck)[2]
    for out in (tmp_path / "cards.csv", tmp_path / "cards.apkg"):
        result = runner.invoke(app, ["export", str(deck), "-o", str(out)])
        assert result.exit_code == 0, result.output
        back = tmp_path / f"back-{out.suffix[1:]}.toml"
        result = runner.invoke(app, ["import", str(out), "-o", str(back)])
        assert result.exit_code == 0, result.output
        after = deck_write.load_tables(back)[2]
        assert [t["id"] for _, t in after] == ["élan", "ревизия"], out
        assert [t.get("tags") for _, t in after] == [t.get("tags") for _, t in before], out
    with (tmp_path / "cards.csv").open(encoding="utf-8", newline="") as handle:
        assert any("élan" in row for row in csv.reader(handle))


def test_unicode_ids_key_progress_in_the_database(runner: CliRunner, deck: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", str(deck)], input="\n3\n")
    assert result.exit_code == 0, result.output
    connection = sqlite3.connect(tmp_path / "progress.db")
    try:
        rows = connection.execute("SELECT deck_id, card_id FROM reviews").fetchall()
    finally:
        connection.close()
    assert rows == [("français", "élan")]
    result = runner.invoke(app, ["cards", str(deck)])
    assert result.exit_code == 0, result.output
    assert "élan" in result.output and "ревизия" in result.output


def test_an_id_or_tag_mixing_look_alike_scripts_is_warned() -> None:
    from quizkit.core.lint import content_problems

    cyrillic_a = "\u0430"
    text = (
        HEAD
        + f'[[cards]]\nid = "d{cyrillic_a}tes"\nq = "Q"\na = "A"\ntags = ["d{cyrillic_a}tes", "ревизия"]\n'
    )
    deck = deck_parse.parse_valid(text, "d.toml")
    assert [(p.line, p.card, p.message, p.hint) for p in content_problems(deck)] == [
        (
            3,
            f"d{cyrillic_a}tes",
            f"id 'd{cyrillic_a}tes' mixes Cyrillic and Latin letters",
            "write it in one script: a Cyrillic letter that looks Latin makes a different id",
        ),
        (
            3,
            f"d{cyrillic_a}tes",
            f"tag 'd{cyrillic_a}tes' mixes Cyrillic and Latin letters",
            "write it in one script: a Cyrillic letter that looks Latin makes a different tag",
        ),
    ]


def test_unicode_ids_come_back_from_the_deck_cache(deck: Path) -> None:
    from quizkit.io import deck_files

    first, second = deck_files.load_deck(deck), deck_files.load_deck(deck)
    assert first == second and [c.id for c in second.cards] == ["élan", "ревизия"]
