"""Sphinx extension: the bibliography numbered as in the thesis ([1]-[26]).

Each entry of ``references.bib`` from the thesis carries ``thesisnumber``; entries sort and are
labelled by it, so "[22]" in the thesis and in the book's reference list is the same work.
Entries without it (the thesis itself) follow, labelled in order after the last number.
"""

from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle

_LAST = 10**6


def _number(entry) -> int:
    return int(entry.fields.get("thesisnumber", _LAST))


class ThesisOrder(BaseSortingStyle):
    def sorting_key(self, entry):
        return (_number(entry), entry.key)

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


def setup(app):
    register_plugin("pybtex.style.sorting", "thesis_order", ThesisOrder)
    register_plugin("pybtex.style.labels", "thesis_labels", ThesisLabels)
    register_plugin("pybtex.style.formatting", "thesis", ThesisStyle)
    return {"parallel_read_safe": True}
