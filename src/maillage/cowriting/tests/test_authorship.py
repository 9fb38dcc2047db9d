"""Who held the pen: the replay of the update log on a scripted edit sequence."""

from __future__ import annotations

from pycrdt import Doc, Text

from maillage.cowriting.authorship import TEXT_NAME, replay


class Writer:
    """A pycrdt peer whose every edit yields the update a server would store."""

    def __init__(self, name: str, log: list[tuple[str, bytes]]) -> None:
        self.name = name
        self.doc: Doc = Doc()
        self.text = self.doc.get(TEXT_NAME, type=Text)
        self.log = log

    def pull(self, other: Writer) -> None:
        self.doc.apply_update(other.doc.get_update(self.doc.get_state()))

    def edit(self, action) -> None:  # type: ignore[no-untyped-def]
        before = self.doc.get_state()
        captured: list[bytes] = []
        sub = self.doc.observe(lambda event: captured.append(event.update))
        action(self.text)
        self.doc.unobserve(sub)
        assert captured or before == self.doc.get_state()
        self.log.extend((self.name, update) for update in captured)


def test_surviving_characters_inserted_and_deleted_are_counted_per_author() -> None:
    log: list[tuple[str, bytes]] = []
    anne, bruno = Writer("anne", log), Writer("bruno", log)
    anne.edit(lambda t: t.insert(0, "Nous avons marché."))  # 18 characters
    bruno.pull(anne)
    # Bruno replaces "marché" (6 characters) by "cheminé ensemble" (16 characters).
    bruno.edit(lambda t: t.__delitem__(slice(11, 18)))  # "marché": 7 UTF-8 bytes
    bruno.edit(lambda t: t.insert(11, "cheminé ensemble"))
    anne.pull(bruno)
    anne.edit(lambda t: t.insert(0, "Ensemble, "))  # 10 characters
    result = replay(log)
    assert result.text == "Ensemble, Nous avons cheminé ensemble."
    assert (result.authors["anne"].inserted, result.authors["anne"].surviving) == (28, 22)
    assert result.authors["anne"].deleted == 0
    assert (result.authors["bruno"].inserted, result.authors["bruno"].surviving) == (16, 16)
    assert result.authors["bruno"].deleted == 6
    assert result.total_surviving == len(result.text)
    assert abs(result.share("anne") - 22 / 38) < 1e-9


def test_concurrent_edits_are_attributed_to_each_sender() -> None:
    log: list[tuple[str, bytes]] = []
    a, b = Writer("a", log), Writer("b", log)
    a.edit(lambda t: t.insert(0, "début "))
    b.pull(a)
    a.edit(lambda t: t.insert(len(t), "de A"))
    b.edit(lambda t: t.insert(0, "B: "))
    result = replay(log)
    a.pull(b)
    assert result.text == str(a.text)
    assert result.authors["a"].surviving == len("début de A")
    assert result.authors["b"].surviving == len("B: ")
    assert [step.author for step in result.steps] == ["a", "a", "b"]


def test_deleting_ones_own_text_counts_as_deleted_and_not_surviving() -> None:
    log: list[tuple[str, bytes]] = []
    solo = Writer("solo", log)
    solo.edit(lambda t: t.insert(0, "brouillon à jeter"))
    solo.edit(lambda t: t.clear())
    result = replay(log)
    assert result.text == ""
    stats = result.authors["solo"]
    assert (stats.inserted, stats.surviving, stats.deleted) == (17, 0, 17)
    assert result.share("solo") == 0.0


def test_empty_log_gives_no_author() -> None:
    result = replay([])
    assert result.authors == {} and result.text == "" and result.total_surviving == 0
