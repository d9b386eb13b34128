"""A card's pictures in a study session: drawn for the terminal, said in words, or opened in the
system's image viewer (the o key)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console, RenderableType
from rich.text import Text

from quizkit.model import Card, Deck, Picture
from quizkit.ui import words

if TYPE_CHECKING:
    from quizkit.io.pictures import Decoded


class Pictures:
    """Draws the pictures of one session's cards, in the mode the terminal and the settings give.

    Images are decoded only when their card is on screen, and the last few are kept (a card
    revealed redraws its question's picture; a resize redraws both).
    """

    def __init__(self, console: Console, setting: str, line_mode: bool, plain_mode: bool) -> None:
        from quizkit.ui.pictures import environment_mode

        self.console = console
        self.plain_mode = plain_mode
        mode = environment_mode(setting, color=console.color_system is not None)
        self.mode = "none" if line_mode or plain_mode else mode
        self._decoded: dict[Path, Decoded] = {}

    def view(self, deck: Deck, picture: Picture | None) -> RenderableType | None:
        """The picture as the card panel shows it, or None for none."""
        if picture is None:
            return None
        if self.mode == "none":
            return self.words(picture)
        from quizkit.io.pictures import Decoded, PictureError
        from quizkit.ui.pictures import Picture as Drawing
        from quizkit.ui.pictures import cell_size

        folder = Path(deck.path).parent
        key = folder / picture.file
        source = self._decoded.get(key)
        if source is None:
            if len(self._decoded) >= 4:
                self._decoded.clear()
            source = self._decoded[key] = Decoded(folder, picture.file)
        try:
            source.size  # noqa: B018 (decoded here, so that a bad file is said in words, not raised mid-draw)
        except PictureError as error:
            return words.plain(f"[picture not shown: {error.message}] {picture.words}", style="yellow")
        height = self.console.size.height
        return Drawing(
            source, picture.alt, self.mode, max(4, min(20, (height - 8) * 2 // 3)), cell_size(self.console)
        )

    def words(self, picture: Picture) -> Text:
        label = "Picture: " if self.plain_mode else "[picture] "
        return Text(label, style="dim") + words.plain(picture.words)


def pictures_of(card: Card, revealed: bool) -> list[Picture]:
    """The pictures a card shows: its question's, and once revealed its answer's."""
    return [p for p in (card.image, card.answer_image if revealed else None) if p is not None]


def open_pictures(deck: Deck, pictures: list[Picture]) -> str:
    """Open each picture in the system's image viewer; what to tell the learner.

    The viewer gets the checked, absolute path of each file as one argument, never through a
    shell, so no deck text is ever read as a command or an option.
    """
    from quizkit.io.pictures import PictureError, located

    opened: list[str] = []
    problems: list[str] = []
    for picture in pictures:
        try:
            path = located(Path(deck.path).parent, picture.file)
        except PictureError as error:
            problems.append(error.message)
            continue
        problem = _open(path)
        if problem:
            problems.append(problem)
        else:
            opened.append(picture.file)
    said = [f"opened {', '.join(opened)} in the image viewer"] if opened else []
    return "; ".join(said + problems)


def _open(path: Path) -> str:
    """Start the viewer on an absolute path; a problem in words, or "" when it started."""
    if sys.platform == "win32":  # pragma: no cover - not tested on Windows
        os.startfile(path)  # type: ignore[attr-defined]  # noqa: S606
        return ""
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    found = shutil.which(opener)
    if found is None:
        return f"no image viewer found ({opener} is not installed); the file is {path}"
    try:
        viewer = subprocess.Popen(  # noqa: S603
            [found, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # the viewer gets neither the keys nor the terminal's signals
        )
    except OSError as error:
        return f"the image viewer could not be started: {error.strerror}"
    import threading

    threading.Thread(target=viewer.wait, daemon=True).start()  # reaped when it ends, never waited on
    return ""
