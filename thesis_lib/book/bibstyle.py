"""Sphinx extension: the bibliography numbered as in the thesis ([1]-[26]), cited by number.

Each entry of ``references.bib`` from the thesis carries ``thesisnumber``; entries sort and are
labelled by it, so "[22]" in the thesis, in the text of the book and in its reference list is
the same work. The thesis itself comes next ([27]), then the works the book adds (papers the
thesis relies on without citing them, e.g. the WGAN paper it attributes to Brownlee's book),
labelled in order after it. Author lists are joined with "y", as Spanish text asks ("Cesano y Fuidio").
"""

from dataclasses import dataclass, field

from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import names, sentence
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.referencing.label import LabelReferenceStyle

_LAST = 10**6


THESIS_KEY = "cesano2024gan"


def _number(entry) -> int:
    return int(entry.fields.get("thesisnumber", _LAST))


class ThesisOrder(BaseSortingStyle):
    def sorting_key(self, entry):
        return (_number(entry), entry.key != THESIS_KEY, entry.key)

    def sort(self, entries):
        return sorted(entries, key=self.sorting_key)


class ThesisLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        last = 0
        for entry in sorted_entries:
            number = _number(entry)
            last = number if number != _LAST else last + 1
            yield str(last)


class ThesisStyle(UnsrtStyle):
    default_sorting_style = "thesis_order"
    default_label_style = "thesis_labels"

    def format_names(self, role, as_sentence=True):
        formatted = names(role, sep=", ", sep2=" y ", last_sep=" y ")
        return sentence[formatted] if as_sentence else formatted


@dataclass
class ThesisReferences(LabelReferenceStyle):
    """Citations by number ("[22]"); textual ones name the authors in Spanish
    ("Cesano y Fuidio [27]")."""

    person: PersonStyle = field(default_factory=lambda: PersonStyle(sep2=" y ", last_sep=" y "))


def setup(app):
    register_plugin("pybtex.style.sorting", "thesis_order", ThesisOrder)
    register_plugin("pybtex.style.labels", "thesis_labels", ThesisLabels)
    register_plugin("pybtex.style.formatting", "thesis", ThesisStyle)
    register_bibtex_plugin("sphinxcontrib.bibtex.style.referencing", "thesis_numbers",
                           ThesisReferences)
    return {"parallel_read_safe": True}
