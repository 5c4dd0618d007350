"""The book's toolbar in Spanish (a Sphinx extension, listed in ``_config.yml``).

sphinx-book-theme's Spanish catalogue translates its buttons' tooltips but not some of their
visible labels, so a Spanish page showed "Repository" and "Open issue". This rewrites them once
the theme has built the page's buttons (its handlers run at priority 501).
"""

from __future__ import annotations

LABELS = {"Repository": "Repositorio", "Open issue": "Abrir un problema",
          "Show source": "Ver la fuente", "Suggest edit": "Sugerir un cambio",
          "Live Code": "Código en vivo"}


def translate_buttons(buttons) -> None:
    """Replace every English label of ``buttons`` (the theme's nested button groups) in place."""
    for button in buttons:
        if button.get("text") in LABELS:
            button["text"] = LABELS[button["text"]]
        translate_buttons(button.get("buttons", []))


def _translate(app, pagename, templatename, context, doctree) -> None:
    translate_buttons(context.get("header_buttons", []))


def setup(app):
    app.connect("html-page-context", _translate, priority=510)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
