"""The check the browser journeys run on every page: the other language's interface text shows.

It reads the page's text only, so a stand-in page is enough to prove it finds what it must and
leaves alone what people typed.
"""

from __future__ import annotations

from maillage.core.tests.browser import say, untranslated


class Page:
    """A page reduced to what the check reads: the text of an element."""

    def __init__(self, text: str) -> None:
        self.text = text

    def inner_text(self, selector: str) -> str:
        return self.text


def test_a_french_interface_text_on_an_english_page_is_reported():
    french = say("fr", "The workshop is updated.")
    assert french != "The workshop is updated."
    page = Page(f"Workshops\n{french}\nEdit the workshop")
    assert untranslated(page, "en") != []


def test_a_french_function_word_on_an_english_page_is_reported():
    assert untranslated(Page("Workshops · Inscrivez-vous pour venir"), "en") != []


def test_an_english_interface_text_on_a_french_page_is_reported():
    assert untranslated(Page("Ateliers\nThe workshop is updated.\n"), "fr") != []


def test_what_people_typed_is_left_out_and_a_page_in_its_own_language_passes():
    typed = "Réparer nos vélos à la maison des associations"
    english = f"{say('en', 'The workshop is updated.')}\n{typed}"
    assert untranslated(Page(english), "en", [typed]) == []
    assert untranslated(Page(english), "en") != []
    assert untranslated(Page(say("fr", "The workshop is updated.")), "fr") == []
