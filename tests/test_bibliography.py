"""The bibliography (references.bib, rendered by thesis_lib.book.bibstyle on the page
referencias.md): DOIs and arXiv identifiers become links, each printed once; the papers carry
one; every work the book adds is cited by some page; a work named in the prose is cited by its
own entry, so it has one number throughout the book."""

import json
import re

import pytest
from pybtex.database import parse_file, parse_string

from thesis_lib.book import setup as book
from thesis_lib.book.bibstyle import THESIS_KEY, ThesisLabels, ThesisOrder, ThesisStyle

ROOT = book.ROOT
BIB = parse_file(ROOT / "references.bib").entries
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")

# Papers with neither a DOI nor an arXiv identifier: a workshop talk and the NeurIPS 2012 paper
# (NeurIPS proceedings have no DOI, and AlexNet was never posted to arXiv).
PAPERS_WITHOUT_LINK = {"mohamed2009phone", "krizhevsky2012imagenet"}


def _style():
    return ThesisStyle(label_style=ThesisLabels, sorting_style=ThesisOrder)


def _render(bibtex: str) -> dict[str, str]:
    entries = parse_string(bibtex, "bibtex").entries.values()
    return {e.key: e.text.render_as("html") for e in _style().format_entries(entries)}


def _pages() -> dict[str, str]:
    """The prose of every page that can cite: markdown cells of the chapters, the .md pages."""
    texts = {}
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        texts[path.name] = "\n\n".join("".join(c["source"]) for c in cells
                                       if c["cell_type"] == "markdown")
    for path in [*sorted((ROOT / "chapters").glob("*.md")), ROOT / "intro.md",
                 ROOT / "referencias.md"]:
        texts[path.name] = path.read_text(encoding="utf-8")
    return texts


def _cited() -> dict[str, set[str]]:
    cited: dict[str, set[str]] = {}
    for name, text in _pages().items():
        for match in CITE.finditer(text):
            for key in match.group(1).split(","):
                cited.setdefault(key.strip(), set()).add(name)
    return cited


# --- the style -------------------------------------------------------------------------------

SMALL_BIB = r"""
@article{paper,
  author = {Pérez, Ana and Gómez, Luis},
  title = {A paper},
  journal = {Journal},
  volume = {1},
  pages = {1--2},
  doi = {10.1234/abc.5(6)7},
  eprint = {2101.00001},
  archiveprefix = {arXiv},
  year = {2021}
}
@misc{preprint,
  author = {Pérez, Ana},
  title = {A preprint the thesis lists by its identifier},
  howpublished = {arXiv:1412.6980},
  eprint = {1412.6980},
  archiveprefix = {arXiv},
  year = {2017}
}
@article{journal_spells_it,
  author = {Pérez, Ana},
  title = {Another preprint},
  journal = {arXiv preprint arXiv:1701.04862},
  eprint = {1701.04862},
  year = {2017}
}
@misc{elsewhere,
  author = {Pérez, Ana},
  title = {Not on arXiv},
  eprint = {hal-0001},
  archiveprefix = {HAL},
  year = {2020}
}
"""


def test_a_doi_and_an_arxiv_identifier_become_links():
    html = _render(SMALL_BIB)["paper"]
    assert '<a href="https://doi.org/10.1234/abc.5(6)7">doi:10.1234/abc.5(6)7</a>' in html
    assert '<a href="https://arxiv.org/abs/2101.00001">arXiv:2101.00001</a>' in html
    assert "Ana Pérez y Luis Gómez" in html  # still the Spanish author list


def test_an_identifier_the_thesis_spells_is_printed_once_as_the_link():
    html = _render(SMALL_BIB)
    assert html["preprint"].count("1412.6980") == 2  # the link's address and its text
    assert '<a href="https://arxiv.org/abs/1412.6980">arXiv:1412.6980</a>' in html["preprint"]
    spelled = html["journal_spells_it"]
    assert "<em>arXiv preprint</em>" in spelled and spelled.count("1701.04862") == 2


def test_an_eprint_of_another_archive_is_not_linked_to_arxiv():
    assert "arxiv.org" not in _render(SMALL_BIB)["elsewhere"]


def test_the_entries_are_unchanged_by_the_style():
    before = {k: dict(e.fields) for k, e in BIB.items()}
    list(_style().format_entries(BIB.values()))
    assert {k: dict(e.fields) for k, e in BIB.items()} == before


# --- references.bib --------------------------------------------------------------------------

def test_every_paper_links_to_a_doi_or_an_arxiv_identifier():
    papers = {k for k, e in BIB.items() if e.type in ("article", "inproceedings")}
    missing = sorted(k for k in papers - PAPERS_WITHOUT_LINK
                     if "doi" not in BIB[k].fields and "eprint" not in BIB[k].fields)
    assert not missing, f"papers without doi or eprint: {missing}"


def test_identifiers_are_well_formed():
    for key, entry in BIB.items():
        fields = entry.fields
        if "doi" in fields:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", fields["doi"]), key
        if "eprint" in fields:
            assert fields.get("archiveprefix") == "arXiv", key
            found = re.fullmatch(r"(\d{2})(\d{2})\.\d{4,5}", fields["eprint"])
            assert found, key
            # Posted no later than the year the entry gives (the year of its venue, or of a
            # later revision, as [26]).
            assert 2000 + int(found.group(1)) <= int(fields["year"]), key


def test_every_work_the_book_adds_is_cited_by_some_page():
    cited = _cited()
    added = [k for k, e in BIB.items() if "thesisnumber" not in e.fields]
    assert THESIS_KEY in added
    uncited = sorted(k for k in added if k not in cited)
    assert not uncited, f"entries the book adds that no page cites: {uncited}"


def test_every_cited_key_is_in_the_bibliography():
    unknown = {k: sorted(pages) for k, pages in _cited().items() if k not in BIB}
    assert not unknown


def test_the_reference_page_lists_all_the_thesis_references():
    """The page reproduces the thesis's list, cited or not: the bibliography takes every entry."""
    page = (ROOT / "referencias.md").read_text(encoding="utf-8")
    assert re.search(r"```\{bibliography\}\n:all:\n", page)
    assert page.count("{bibliography}") == 1  # one list, so one number per work


# --- one work, one number --------------------------------------------------------------------

# Works the prose names by their authors, and the entry a citation in that sentence must
# include. Issue 31: chapter 2.0 cited Minsky and Papert's book [44] and chapter 2.1 gave the
# same statement, "Minsky y Papert mostraron...", the number of a textbook [8].
NAMED_WORKS = {r"Minsky y (?:Seymour )?Papert": "minsky1969perceptrons"}


def _sentences(text):
    for paragraph in re.split(r"\n\s*\n", text):
        yield from re.split(r"(?<=[.!?])\s+(?=[A-ZÁÉÍÓÚ¿])", " ".join(paragraph.split()))


@pytest.mark.parametrize("names,key", NAMED_WORKS.items())
def test_a_sentence_that_names_a_work_cites_it(names, key):
    wrong = []
    for page, text in _pages().items():
        for sentence in _sentences(text):
            keys = {k.strip() for m in CITE.finditer(sentence) for k in m.group(1).split(",")}
            if re.search(names, sentence) and keys and key not in keys:
                wrong.append(f"{page}: {sentence[:100]}")
    assert not wrong, f"cite {key} where the prose names its authors: {wrong}"


def test_the_lecun_1989_paper_is_cited_beside_the_thesis_course():
    """Chapter 2.0: LeCun et al. (1989) for the first convolutional network trained by
    backpropagation; the thesis's source for it, a Coursera course [4], stays cited."""
    text = _pages()["02-0-antecedentes.ipynb"]
    sentence = next(s for s in _sentences(text) if "primera **red convolucional**" in s)
    assert "{cite}`lecun1989backpropagation`" in sentence
    assert "Coursera {cite}`zhou2020gans`" in sentence
    entry = BIB["lecun1989backpropagation"]
    assert entry.fields["doi"] == "10.1162/neco.1989.1.4.541"
    assert (entry.fields["journal"], entry.fields["volume"], entry.fields["number"],
            entry.fields["pages"], entry.fields["year"]) == ("Neural Computation", "1", "4",
                                                             "541--551", "1989")
