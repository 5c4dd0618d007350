"""The checks over the built HTML catch what a reader must not see (and pass clean pages).

The snippets mimic jupyter-book's markup: cell inputs in ``div.cell_input``, outputs in
``div.cell_output``, math in ``span.math``/``div.math``.
"""

import pytest
from bs4 import BeautifulSoup

from thesis_lib.book import checks as C


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>"


def out(text: str, kind: str = "stream") -> str:
    """A cell output as jupyter-book writes it (kind: stream, stderr, text_plain)."""
    return (f'<div class="cell_output docutils container"><div class="output {kind} '
            f'highlight-myst-ansi notranslate"><div class="highlight"><pre><span></span>{text}'
            '</pre></div></div></div>')


def code(text: str) -> str:
    return ('<div class="cell_input docutils container"><div class="highlight-ipython3 '
            f'notranslate"><div class="highlight"><pre><span></span>{text}</pre></div></div></div>')


CLEAN = page("""
<h1><span class="section-number">2.4. </span>Regularización</h1>
<p>La exactitud es 99,33 % con 60 000 imágenes, según la sección 4.2 y las secciones 3.1 y 3.2,
y el algoritmo 8.7 del libro.</p>
<p>Con <span class="math notranslate nohighlight">\\(\\eta = 0{,}1\\)</span> converge.</p>
""" + code("x = 0.5  # code may use points; GANConfig(epochs=2) too") + out(
    "z = 0.30000000000000004") + """
<div class="highlight-bash notranslate"><div class="highlight"><pre>python -m x --lr 0.5</pre>
</div></div>
<p>Keras 3.15.1, Python 3.11 y <code>learning_rate=0.0002</code>.</p>
<span class="caption-number">Fig. 3.1 </span>
""", head='<script src="../_static/mathjax/tex-chtml.js"></script>')


@pytest.mark.parametrize("name", list(C.CHECKS))
def test_a_clean_page_passes_every_check(name):
    assert C.CHECKS[name](CLEAN) == []


@pytest.mark.parametrize("name, body, head", [
    ("math loaded from the internet", "<p>x</p>",
     '<script async src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'),
    ("library log lines", out("WARNING: All log messages before absl::InitializeLog() is "
                              "called are written to STDERR", "stderr"), ""),
    ("library log lines", out("I0000 00:00:1795800596.958304 8547 port.cc:153] oneDNN custom "
                              "operations are on.", "stderr"), ""),
    ("library log lines", out("5 out of the last 5 calls to &lt;function&gt; triggered "
                              "tf.function retracing.", "stderr"), ""),
    ("library log lines", out("/x.py:3: UserWarning: careful", "stderr"), ""),
    ("Python dumps or English bookkeeping", out("GANConfig(epochs=2, batch_size=256)",
                                                "text_plain"), ""),
    ("Python dumps or English bookkeeping", out("np.float32(0.0)", "text_plain"), ""),
    ("Python dumps or English bookkeeping", out("epoch 1: D accuracy real 88%"), ""),
    ("Python dumps or English bookkeeping",
     '<table><thead><tr><th>epoch</th><th>d_loss</th></tr></thead></table>', ""),
    ("decimal point instead of comma", "<p>La exactitud es 99.33 %.</p>", ""),
    ("decimal point instead of comma", "<table><tr><td>0.512</td></tr></table>", ""),
    ("decimal point instead of comma",
     '<p><span class="math notranslate nohighlight">\\(\\eta = 0.1\\)</span></p>', ""),
    ("stray $ (unparsed math)", "<li><p>minimizar $$-\\frac{1}{2m}$$</p></li>", ""),
    ("math in a heading", '<h2>El grafo de <span class="math notranslate nohighlight">'
     '\\(f(x)\\)</span></h2>', ""),
    ("figure rendered as text", out("&lt;Figure size 640x480 with 1 Axes&gt;", "text_plain"), ""),
    ("English toolbar label", '<span class="btn__text-container">Open issue</span>', ""),
])
def test_each_check_catches_its_problem(name, body, head):
    found = C.CHECKS[name](page(body, head))
    assert found, f"{name} missed: {body}"


def test_only_the_named_check_fires_on_a_decimal_point():
    bad = page("<p>La pérdida es 0.69.</p>")
    fired = [name for name, check in C.CHECKS.items() if check(bad)]
    assert fired == ["decimal point instead of comma"]


def test_check_book_names_page_and_check(tmp_path):
    (tmp_path / "index.html").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "x.html").write_text(page("<p>0.5</p>"), encoding="utf-8")
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "y.html").write_text(page("<p>0.5</p>"), encoding="utf-8")
    found = C.check_book(tmp_path)
    assert list(found) == ["chapters/x.html"]
    assert list(found["chapters/x.html"]) == ["decimal point instead of comma"]
    assert C.main([str(tmp_path)]) == 1


def test_the_toolbar_labels_are_translated_in_place():
    from thesis_lib.book import interface
    groups = [{"label": "repo", "buttons": [{"text": "Repository"}, {"text": "Open issue"},
                                            {"text": ".ipynb"}]}, {"text": "Colab"}]
    interface.translate_buttons(groups)
    assert [b["text"] for b in groups[0]["buttons"]] == ["Repositorio", "Abrir un problema",
                                                         ".ipynb"]
    assert groups[1]["text"] == "Colab"
    assert C.CHECKS["English toolbar label"](page(
        '<span class="btn__text-container">Repositorio</span>')) == []


def figure(caption: str) -> str:
    """A glued figure as jupyter-book writes it, with its numbering and header link."""
    return ('<figure class="align-default" id="fig-x"><img src="x.png"/><figcaption><p>'
            '<span class="caption-number">Figura 3 </span><span class="caption-text">'
            f'{caption}</span><a class="headerlink" href="#fig-x">#</a></p></figcaption></figure>')


def test_a_caption_of_two_lines_passes_and_a_longer_one_is_named():
    two_lines = "Muestras del generador final de la corrida larga junto a dígitos reales. " * 2
    assert len(two_lines) <= C.CAPTION_MAX_CHARS
    assert C.long_captions(page(figure(two_lines))) == []
    long = two_lines + "Perfil completo, semilla 1, 2000 imágenes por punto, generador sha256 ab12."
    found = C.long_captions(page(figure(long)))
    assert len(found) == 1 and found[0].startswith(f"{len(long.strip())} characters: Figura 3")


def test_a_formula_in_a_caption_counts_at_half_its_source():
    math = '<span class="math notranslate nohighlight">\\(\\mathrm{KL} - 2\\,\\mathrm{JSD}\\)</span>'
    source = "\\(\\mathrm{KL} - 2\\,\\mathrm{JSD}\\)"
    html = figure("El costo frente a " + math + ".")
    assert C.caption_length(BeautifulSoup(html, "html.parser").figcaption) == \
        len("El costo frente a .") + (len(source) + 1) // 2
