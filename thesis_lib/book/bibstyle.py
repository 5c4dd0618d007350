"""Sphinx extension: the bibliography numbered as in the thesis ([1]-[26]), cited by number.

Each entry of ``references.bib`` from the thesis carries ``thesisnumber``; entries sort and are
labelled by it, so "[22]" in the thesis, in the text of the book and in its reference list is
the same work. The thesis itself comes next ([27]), then the works the book adds (papers the
thesis relies on without citing them, e.g. the WGAN paper it attributes to Brownlee's book),
labelled in order after it. Author lists are joined with "y", as Spanish text asks ("Cesano y Fuidio").

An entry's ``doi`` becomes a link to https://doi.org/ and its ``eprint`` (with ``archiveprefix``
arXiv, or none) a link to https://arxiv.org/abs/, written "doi:10.…" and "arXiv:…" as Spanish
reference lists write them too. Where the thesis's own fields already spell the arXiv identifier
(``howpublished = {arXiv:1412.6980}``, a journal "arXiv preprint arXiv:1701.04862", a volume
"abs/1406.2661"), the identifier is printed once, as the link.
"""

import re
from dataclasses import dataclass, field

from pybtex.database import Entry
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import field as bib_field
from pybtex.style.template import href, join, names, optional, sentence
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


# Fields where the thesis writes an arXiv identifier as text.
_ARXIV_TEXT_FIELDS = ("howpublished", "journal", "volume", "note")


def is_arxiv(entry) -> bool:
    """Whether the entry's ``eprint`` is an arXiv identifier (``archiveprefix`` arXiv or absent)."""
    return ("eprint" in entry.fields
            and entry.fields.get("archiveprefix", "arXiv").lower() == "arxiv")


def without_repeated_arxiv_id(entry):
    """The entry with its arXiv identifier taken out of the text fields that repeat it
    ("arXiv:1412.6980", "arXiv preprint arXiv:1701.04862", "abs/1406.2661"); a field left
    empty is dropped. The entry itself is not changed."""
    if not is_arxiv(entry):
        return entry
    spelled = re.compile(r"\s*(?:arXiv:\s*|abs/)" + re.escape(entry.fields["eprint"])
                         + r"(?:v\d+)?", re.IGNORECASE)
    fields = {}
    for name, value in entry.fields.items():
        if name.lower() in _ARXIV_TEXT_FIELDS:
            value = spelled.sub("", value).strip(" ,;")
            if not value:
                continue
        fields[name] = value
    if fields == dict(entry.fields):
        return entry
    copy = Entry(entry.type, fields=fields, persons=entry.persons)
    copy.key = entry.key
    return copy


class ThesisStyle(UnsrtStyle):
    default_sorting_style = "thesis_order"
    default_label_style = "thesis_labels"

    def format_names(self, role, as_sentence=True):
        formatted = names(role, sep=", ", sep2=" y ", last_sep=" y ")
        return sentence[formatted] if as_sentence else formatted

    def format_entry(self, label, entry, bib_data=None):
        return super().format_entry(label, without_repeated_arxiv_id(entry), bib_data=bib_data)

    def format_web_refs(self, e):
        """The URL, then the arXiv identifier and the DOI, each a link."""
        links = [optional[self.format_url(e)]]
        if is_arxiv(e):
            links.append(optional[self.format_eprint(e)])
        links.append(optional[self.format_doi(e)])
        return sentence[links]

    def format_eprint(self, e):
        url = join["https://arxiv.org/abs/", bib_field("eprint", raw=True)]
        return href(url)[join["arXiv:", bib_field("eprint", raw=True)]]

    def format_doi(self, e):
        url = join["https://doi.org/", bib_field("doi", raw=True)]
        return href(url)[join["doi:", bib_field("doi", raw=True)]]


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
