"""Progress: silent when piped, nothing during the delay, a bar (rich or plain) on a terminal."""
from __future__ import annotations

import io

import pytest

from certify.apps.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(stream, delay: float, total: int | None = 20, **kw) -> None:
    with Progress(total, "checking", stream=stream, delay=delay, **kw) as bar:
        for i in range(total or 20):
            bar._last = 0.0  # no 10 Hz throttling in the test: every advance may draw
            bar.advance(note=f"item {i}")


def test_silent_when_piped(monkeypatch):
    monkeypatch.delenv("CERTIFY_PROGRESS", raising=False)
    pipe = io.StringIO()
    _run(pipe, delay=0.0)
    assert pipe.getvalue() == ""


def test_nothing_during_the_first_second_on_a_terminal(monkeypatch):
    monkeypatch.delenv("CERTIFY_PROGRESS", raising=False)
    term = Terminal()
    _run(term, delay=3600.0)  # the delay has not passed: quick work never draws
    assert term.getvalue() == ""


@pytest.mark.parametrize("mode", ["plain", "auto"])
def test_bar_is_drawn_and_cleared_on_a_terminal(monkeypatch, mode):
    if mode == "auto":
        pytest.importorskip("rich")
    monkeypatch.setenv("CERTIFY_PROGRESS", mode)
    monkeypatch.setenv("TERM", "xterm-256color")
    term = Terminal()
    with Progress(20, "checking", stream=term, delay=0.0) as bar:
        for i in range(12):
            bar._last = 0.0
            bar.advance(note="x")
        drawn = term.getvalue()
        assert "checking" in drawn and "12/20" in drawn
        if mode == "plain":
            assert "#" * 18 in drawn  # 12/20 of a 30-character bar
        bar.clear()
        term.write("a line of output\n")
        bar._last = 0.0
        bar.advance()
        assert "13/20" in term.getvalue()
    tail = term.getvalue().rsplit("a line of output\n", 1)[1]
    # after the context manager the bar is erased: plain writes blanks, rich hides the live line
    assert tail.endswith("\r" if mode == "plain" else "\x1b[2K")


def test_off_disables_even_on_a_terminal(monkeypatch):
    monkeypatch.setenv("CERTIFY_PROGRESS", "off")
    term = Terminal()
    _run(term, delay=0.0)
    assert term.getvalue() == ""


def test_unknown_total_still_counts(monkeypatch):
    monkeypatch.setenv("CERTIFY_PROGRESS", "plain")
    term = Terminal()
    with Progress(None, "searching", stream=term, delay=0.0) as bar:
        for _ in range(7):
            bar._last = 0.0
            bar.advance()
    assert "searching 7" in term.getvalue()


def test_without_rich_the_plain_bar_is_used(monkeypatch):
    import certify.apps.progress as progress
    monkeypatch.delenv("CERTIFY_PROGRESS", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(progress, "_rich_progress", lambda *a: None)
    term = Terminal()
    with Progress(4, "checking", stream=term, delay=0.0) as bar:
        for _ in range(4):
            bar._last = 0.0
            bar.advance()
        assert "[" + "#" * 30 + "] 4/4" in term.getvalue()
