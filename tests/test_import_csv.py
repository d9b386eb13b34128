"""Importing CSV, TSV, Quizlet and spreadsheet files as Anki does, and better (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from quizkit.cli import app
from quizkit.errors import DeckError
from quizkit.io import deck_parse, delimited, disk, importing

LAYOUT = delimited.Layout()


def read(text: str, name: str = "cards.csv", layout: delimited.Layout = LAYOUT):  # type: ignore[no-untyped-def]
    return delimited.read_delimited(text, name, delimited.guess_delimiter(text, Path(name).suffix), layout)


def run(runner: CliRunner, *args: str, input: str | bytes | None = None):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args), input=input)
    assert "Traceback" not in result.output
    return result


def flat(output: str) -> str:
    return " ".join(output.split())


# ---------------------------------------------------------------- Found 1: the third column


def test_an_unmapped_third_column_is_left_out_with_a_note_not_made_tags() -> None:
    imported = read("to return,kaerimasu,Uchi ni kaerimasu -> come back home\n")
    assert imported.cards == [{"id": imported.cards[0]["id"], "q": "to return", "a": "kaerimasu"}]
    assert not imported.changed
    [note] = imported.left_out
    assert "column 3" in note and "Uchi ni kaerimasu" in note and "--columns" in note


def test_the_anki_manuals_semicolon_example_keeps_its_third_column_out_of_tags() -> None:
    imported = read("foo bar; bar baz; baz quux\n")
    assert [(c["q"], c["a"]) for c in imported.cards] == [("foo bar", "bar baz")]
    assert "tags" not in imported.cards[0]
    assert "column 3" in imported.left_out[0]


def test_columns_map_by_position_and_a_dash_skips_one() -> None:
    layout = delimited.Layout(columns=delimited.parse_columns("q,a,explain,-,tags"))
    imported = read("to return,kaerimasu,Uchi ni kaerimasu,ignored,verbs jlpt5\n", layout=layout)
    card = imported.cards[0]
    assert (card["q"], card["a"], card["explain"], card["tags"]) == (
        "to return",
        "kaerimasu",
        "Uchi ni kaerimasu",
        ["verbs", "jlpt5"],
    )
    assert any("column 4" in item for item in imported.left_out)


def test_unknown_column_names_are_refused_with_the_names_known() -> None:
    from quizkit.errors import UsageError

    with pytest.raises(UsageError, match="unknown column 'colour'"):
        delimited.parse_columns("q,a,colour")


def test_a_header_maps_by_name_and_an_unknown_column_is_left_out_with_a_note() -> None:
    imported = read("Chapter,Term,Definition,Explain\n3,to return,kaerimasu,home\n")
    card = imported.cards[0]
    assert (card["q"], card["a"], card["explain"]) == ("to return", "kaerimasu", "home")
    assert any("'Chapter'" in item for item in imported.left_out)
    preview = "\n".join(imported.preview)
    assert "Term" in preview and "q" in preview and "to return" in preview


def test_the_summary_shows_the_mapping_and_the_columns_left_out(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "words.csv"
    source.write_text("Chapter,Term,Definition\n3,to return,kaerimasu\n4,to go,ikimasu\n", encoding="utf-8")
    result = run(runner, "import", str(source), "-o", str(tmp_path / "words.toml"))
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert "columns read:" in out and "Term → q" in out and "Definition → a" in out
    assert "'Chapter'" in out and "left out" in out


def test_a_header_may_have_a_cloze_column_alone_and_a_second_front_is_named() -> None:
    imported = read("cloze,tags,question,front\nThe {{Nile}} is long,rivers,Q,other\n")
    assert [c.get("cloze") for c in imported.cards] == ["The {{Nile}} is long"]
    assert any("'front'" in item and "a second q column" in item for item in imported.left_out)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1),
            st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1),
        ).filter(lambda row: all(cell.strip() and "{{" not in cell and "}}" not in cell for cell in row)),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from([",", ";", "\t", "|"]),
)
def test_any_quoted_cells_come_back_as_written(rows: list[tuple[str, str]], sep: str) -> None:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, delimiter=sep, quoting=csv.QUOTE_ALL).writerows(rows)
    layout = delimited.Layout(sep=sep, columns=("q", "a"))
    imported = delimited.read_delimited(out.getvalue(), "cards.csv", sep, layout)
    assert [(c["q"], c["a"]) for c in imported.cards] == [(q.strip(), a.strip()) for q, a in rows]


def test_the_whole_summary_of_a_spreadsheet_import(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    Path("w.csv").write_text(
        "Chapter,Term,Definition,Extra\n3,to return,kaerimasu,Uchi ni kaerimasu\n,,only one\n4,to go,ikimasu\n",
        encoding="utf-8",
    )
    result = run(runner, "import", "w.csv", "-o", "w.toml", "--skip-bad-rows")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "imported 2 card blocks (2 cards: basic 2) into w.toml\n"
        "columns read: Chapter → left out · Term → q · Definition → a · Extra → explain\n"
        "  line 2: q='to return', a='kaerimasu', explain='Uchi ni kaerimasu'\n"
        "  line 4: q='to go', a='ikimasu'\n"
        "not carried over (1):\n"
        "  - column 'Chapter' (column 1, 2 row(s), e.g. '3'): quizkit has no place for it; "
        "rename it in the header, or map it with --columns\n"
        "rows skipped (1):\n"
        "  - line 3: row has no front (question)\n"
        "next: quizkit validate w.toml   quizkit show w.toml\n"
    )


# ---------------------------------------------------------------- Found 5: a space after the separator


def test_a_space_after_the_separator_does_not_break_quoting() -> None:
    imported = read('hello, "a, b"\n')
    assert [(c["q"], c["a"]) for c in imported.cards] == [("hello", "a, b")]


# ---------------------------------------------------------------- Found 6: comments, many columns, --sep


def test_hash_comment_lines_are_comments_but_not_inside_a_quoted_cell() -> None:
    imported = read('# my words\nfront,back\n"Q one","line 1\n# not a comment"\n#another\nQ two,A two\n')
    assert [(c["q"], c["a"]) for c in imported.cards] == [
        ("Q one", "line 1\n# not a comment"),
        ("Q two", "A two"),
    ]
    assert imported.lines[imported.cards[1]["id"]] == 6
    assert not imported.left_out  # comments with no separator: nothing to say


def test_a_comment_line_that_looks_like_a_row_is_listed() -> None:
    imported = read('#1 hit,a song\nQ1,A1\n"#2",second\n')
    assert [c["q"] for c in imported.cards] == ["Q1", "#2"]
    assert any("read as comments" in item and "line 1" in item for item in imported.left_out)


def test_eleven_columns_without_a_header_give_one_note_not_an_error_per_row() -> None:
    text = "".join(",".join(f"r{row}c{col}" for col in range(11)) + "\n" for row in range(521))
    imported = read(text)
    assert len(imported.cards) == 521
    assert len(imported.left_out) == 1 and "columns 3-11" in imported.left_out[0]


def test_repeated_row_errors_are_one_line_with_a_count_and_examples() -> None:
    text = "".join(f"only {n}\n" for n in range(50))
    with pytest.raises(DeckError) as caught:
        read(text)
    [problem] = caught.value.problems
    assert problem.line == 1 and "50 rows" in problem.message and "lines 1, 2, 3" in problem.message


@pytest.mark.parametrize(
    ("name", "char"),
    [("comma", ","), ("tab", "\t"), ("semicolon", ";"), ("pipe", "|"), ("\\t", "\t"), ("~", "~")],
)
def test_sep_names_and_single_characters(name: str, char: str) -> None:
    assert delimited.parse_sep(name) == char


def test_sep_is_used_instead_of_the_guess(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "words.txt"
    source.write_text("Capital of France, please?|Paris, of course\n", encoding="utf-8")
    result = run(runner, "import", str(source), "-o", str(tmp_path / "w.toml"), "--sep", "pipe")
    assert result.exit_code == 0, result.output
    deck = deck_parse.parse_valid((tmp_path / "w.toml").read_text(encoding="utf-8"), "w.toml")
    assert [(c.prompt, c.answer) for c in deck.cards] == [("Capital of France, please?", "Paris, of course")]


def test_a_bad_sep_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "words.csv"
    source.write_text("a,b\n", encoding="utf-8")
    result = run(runner, "import", str(source), "-o", str(tmp_path / "w.toml"), "--sep", "ab")
    assert result.exit_code == 2 and "--sep 'ab'" in result.output


# ---------------------------------------------------------------- Quizlet


def test_quizlet_tab_and_newline_with_multi_line_definitions() -> None:
    text = "photosynthesis\tlight into sugar\nin the leaves\nosmosis\twater through a membrane\n"
    imported = read(text, "set.txt", delimited.Layout(quizlet=True))
    assert [(c["q"], c["a"]) for c in imported.cards] == [
        ("photosynthesis", "light into sugar\nin the leaves"),
        ("osmosis", "water through a membrane"),
    ]
    assert imported.lines[imported.cards[1]["id"]] == 3


def test_quizlet_custom_separators_and_quotes_are_text() -> None:
    text = 'dog - "le chien"; a big\ncat - le chat, une chatte;bird - l\'oiseau;'
    layout = delimited.Layout(quizlet=True, sep=" - ", rows=";")
    imported = read(text, "set.txt", layout)
    assert [(c["q"], c["a"]) for c in imported.cards] == [
        ("dog", '"le chien"'),
        ("a big\ncat", "le chat, une chatte"),
        ("bird", "l'oiseau"),
    ]


def test_quizlets_default_export_is_detected_where_tsv_would_refuse_it() -> None:
    imported = read(
        "cell\tthe unit of life\nall living things have them\natom\tthe unit of matter\n", "set.txt"
    )
    assert [(c["q"], c["a"]) for c in imported.cards] == [
        ("cell", "the unit of life\nall living things have them"),
        ("atom", "the unit of matter"),
    ]
    assert any("read as a Quizlet export" in item for item in imported.changed)
    assert not any("Quizlet" in item for item in read("cell\tunit\natom\tmatter\n", "set.txt").changed)


def test_a_file_that_is_not_quite_quizlet_suggests_quizlet() -> None:
    with pytest.raises(DeckError) as caught:
        read('term\t"defined"\tx\nmore of it\n', "set.tsv")
    assert "--quizlet" in caught.value.problems[0].hint


def test_a_quizlet_row_without_the_separator_says_so() -> None:
    with pytest.raises(DeckError) as caught:
        read("dog - chien;cat chat;", "set.txt", delimited.Layout(quizlet=True, sep=" - ", rows=";"))
    [problem] = caught.value.problems
    assert problem.message == "row has no ' - ' between term and definition"


def test_quizlet_from_the_command_line(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "set.txt"
    source.write_text("a|first\nsecond line\n\nb|x\n", encoding="utf-8")
    result = run(runner, "import", str(source), "-o", str(tmp_path / "s.toml"), "--quizlet", "--sep", "|")
    assert result.exit_code == 0, result.output
    deck = deck_parse.parse_valid((tmp_path / "s.toml").read_text(encoding="utf-8"), "s.toml")
    assert [c.answer for c in deck.cards] == ["first\nsecond line", "x"]


def test_quizlet_custom_rows_from_standard_input(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "q.toml"
    args = ("import", "-", "-o", str(out), "--quizlet", "--sep", " - ", "--rows", "semicolon")
    result = run(runner, *args, input="dog - chien;cat - chat\nune chatte;")
    assert result.exit_code == 0, result.output
    assert "columns read: term → q · definition → a" in result.output
    deck = deck_parse.parse_valid(out.read_text(encoding="utf-8"), str(out))
    assert [(c.prompt, c.answer) for c in deck.cards] == [("dog", "chien"), ("cat", "chat\nune chatte")]
    alone = run(runner, "import", "-", "-o", str(tmp_path / "r.toml"), "--rows", ";", input="a;b")
    assert alone.exit_code == 2 and "--rows is for Quizlet exports" in alone.output


# ---------------------------------------------------------------- --skip-bad-rows


def test_skip_bad_rows_imports_the_rest_and_reports_the_lines(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "words.csv"
    source.write_text("Q1,A1\nno answer\nQ3,A3\n,A4\n", encoding="utf-8")
    out = tmp_path / "w.toml"
    refused = run(runner, "import", str(source), "-o", str(out))
    assert refused.exit_code == 1 and f"{source}:2:" in flat(refused.output) and not out.exists()
    result = run(runner, "import", str(source), "-o", str(out), "--skip-bad-rows")
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "rows skipped (2):" in text and "line 2: row has only one column" in text
    assert "line 4: row has no front" in text
    deck = deck_parse.parse_valid(out.read_text(encoding="utf-8"), str(out))
    assert [c.prompt for c in deck.cards] == ["Q1", "Q3"]


# ---------------------------------------------------------------- --append


def test_append_keeps_the_deck_byte_for_byte_and_ids_do_not_collide(
    runner: CliRunner, tmp_path: Path
) -> None:
    deck = tmp_path / "w.toml"
    original = (
        '# my own words\r\n[deck]\r\ntitle = "Words"   # keep this\r\n\r\n'
        '[[cards]]\r\nid = "dog"\r\nq = "dog"\r\na = "chien"\r\n'
    )
    deck.write_bytes(original.encode("utf-8"))
    source = tmp_path / "more.csv"
    source.write_text("id,q,a\ndog,dog,le chien\ncat,cat,chat\n", encoding="utf-8")
    result = run(runner, "import", str(source), "-o", str(deck), "--append")
    assert result.exit_code == 0, result.output
    data = deck.read_bytes()
    assert data.startswith(original.encode("utf-8"))
    loaded = deck_parse.parse_valid(data.decode("utf-8"), str(deck))
    assert [(c.id, c.answer) for c in loaded.cards] == [
        ("dog", "chien"),
        ("dog-2", "le chien"),
        ("cat", "chat"),
    ]
    assert "appended 2 card blocks" in flat(result.output)


def test_append_needs_an_existing_deck_and_not_force(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "more.csv"
    source.write_text("q,a\n", encoding="utf-8")
    missing = run(runner, "import", str(source), "-o", str(tmp_path / "none.toml"), "--append")
    assert missing.exit_code == 2 and "does not exist" in missing.output
    (tmp_path / "d.toml").write_text('[deck]\ntitle = "D"\n', encoding="utf-8")
    both = run(runner, "import", str(source), "-o", str(tmp_path / "d.toml"), "--append", "--force")
    assert both.exit_code == 2 and "--append" in both.output


# ---------------------------------------------------------------- standard input


def test_a_dash_reads_standard_input(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "in.toml"
    result = run(runner, "import", "-", "-o", str(out), input="Capital of France?\tParis\n")
    assert result.exit_code == 0, result.output
    deck = deck_parse.parse_valid(out.read_text(encoding="utf-8"), str(out))
    assert [(c.prompt, c.answer) for c in deck.cards] == [("Capital of France?", "Paris")]


def test_standard_input_errors_name_it(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "import", "-", "-o", str(tmp_path / "in.toml"), input="Q,A\nonly\n")
    assert result.exit_code == 1 and "<stdin>:2:" in flat(result.output)


def test_anki_text_headers_and_comment_lines_below_them(tmp_path: Path) -> None:
    source = tmp_path / "notes.csv"
    source.write_text(
        "#separator:comma\n#columns:Front,Back,Tags\n#tags column:3\nQ1,A1,t1 t2\n# a comment\nQ2,A2,\n",
        encoding="utf-8",
    )
    imported = importing.read_source(source)
    assert [(c["q"], c["a"], c.get("tags")) for c in imported.cards] == [
        ("Q1", "A1", ["t1", "t2"]),
        ("Q2", "A2", None),
    ]
    assert not imported.left_out


def test_csv_options_are_refused_for_anki_files_rather_than_ignored(
    runner: CliRunner, tmp_path: Path
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("#separator:tab\nQ\tA\n", encoding="utf-8")
    result = run(runner, "import", str(text), "-o", str(tmp_path / "n.toml"), "--columns", "q,a")
    assert result.exit_code == 2 and "Anki's text export" in result.output
    package = tmp_path / "deck.apkg"
    package.write_bytes(b"PK\x03\x04 not really")
    result = run(runner, "import", str(package), "-o", str(tmp_path / "p.toml"), "--skip-bad-rows")
    assert result.exit_code == 2 and "is an Anki package" in result.output


# ---------------------------------------------------------------- Found 4: image occlusion in text


def test_image_occlusion_in_an_anki_text_export_is_a_listed_loss(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text(
        "#separator:tab\n#html:true\n#notetype column:1\n"
        'Image Occlusion\t{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.4}}\t<img src="a.png">\n'
        "Basic\tCapital of France?\tParis\n",
        encoding="utf-8",
    )
    imported = importing.read_source(source)
    assert [c["q"] for c in imported.cards] == ["Capital of France?"]
    assert any("image occlusion" in item for item in imported.left_out)


def test_image_occlusion_in_a_plain_csv_is_a_listed_loss() -> None:
    imported = read('"{{c1::image-occlusion:rect:left=.1:top=.2}}",x\nQ,A\n')
    assert [c["q"] for c in imported.cards] == ["Q"]
    assert any("image occlusion" in item for item in imported.left_out)


# ---------------------------------------------------------------- Found 9: small ones


def test_a_nested_cloze_says_so() -> None:
    text = '[deck]\ntitle = "T"\n\n[[cards]]\nid = "n"\ncloze = "The {{outer {{inner}} part}} here"\n'
    _deck, problems = deck_parse.parse_deck(text, "d.toml")
    assert [p.message for p in problems] == ["nested cloze is not supported"]


def test_a_utf16_deck_is_read(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_bytes('[deck]\ntitle = "Café"\n\n[[cards]]\nid = "q"\nq = "Q"\na = "A"\n'.encode("utf-16"))
    deck, problems = deck_parse.check_deck(path)
    assert not problems and deck is not None and deck.title == "Café"


def test_a_utf16_deck_cannot_be_appended_to_and_says_why(tmp_path: Path) -> None:
    with pytest.raises(DeckError) as caught:
        disk.decode("x".encode("utf-16"), "d.toml")
    assert "UTF-16" in caught.value.problems[0].message


def test_append_to_a_utf16_deck_asks_for_utf8_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    deck = tmp_path / "d.toml"
    original = '[deck]\ntitle = "T"\n\n[[cards]]\nid = "q"\nq = "Q"\na = "A"\n'.encode("utf-16")
    deck.write_bytes(original)
    source = tmp_path / "more.csv"
    source.write_text("Q2,A2\n", encoding="utf-8")
    result = run(runner, "import", str(source), "-o", str(deck), "--append")
    assert result.exit_code == 1 and "is UTF-16 text" in flat(result.output) and "UTF-8" in result.output
    assert deck.read_bytes() == original


def test_export_refuses_to_overwrite_without_force(runner: CliRunner, tmp_path: Path) -> None:
    deck = tmp_path / "d.toml"
    deck.write_text('[deck]\ntitle = "T"\n\n[[cards]]\nq = "Q"\na = "A"\n', encoding="utf-8")
    out = tmp_path / "d.csv"
    out.write_text("mine", encoding="utf-8")
    refused = run(runner, "export", str(deck), "-o", str(out))
    assert refused.exit_code == 2 and "already exists; add --force" in refused.output
    assert out.read_text(encoding="utf-8") == "mine"
    sheet = tmp_path / "d.html"
    sheet.write_text("mine", encoding="utf-8")
    assert run(runner, "export", str(deck), "-o", str(sheet)).exit_code == 2
    assert run(runner, "export", str(deck), "-o", str(out), "--force").exit_code == 0
    assert out.read_text(encoding="utf-8-sig").startswith("id,")


def test_with_columns_given_a_first_row_is_a_header_only_if_it_names_them() -> None:
    # Found by test_any_quoted_cells_come_back_as_written: the row "A","A" was taken for a header.
    layout = delimited.Layout(sep=",", columns=("q", "a"))
    imported = delimited.read_delimited('"A","A"\r\n"B","C"\r\n', "cards.csv", ",", layout)
    assert [(c["q"], c["a"]) for c in imported.cards] == [("A", "A"), ("B", "C")]
    headed = delimited.read_delimited("question,answer\nB,C\n", "cards.csv", ",", layout)
    assert [(c["q"], c["a"]) for c in headed.cards] == [("B", "C")]
