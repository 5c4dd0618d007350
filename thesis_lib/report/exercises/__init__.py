"""The answers to the exercises that close each chapter (issue 31), one function per chapter.

Every chapter ends with «Ideas clave» and «Ejercicios». A numeric answer is never typed into
the page: the chapter's hidden cell (tag ``remove-cell``) pastes what this package computes,

.. code-block:: python

    from thesis_lib.report import exercises
    for name, text in exercises.answers("02-6-convolucion").items():
        glue(name, text, display=False)

and the answer's dropdown quotes it with ``{glue:text}`ej_…```. :func:`answers` returns the
Spanish texts keyed by glue name (every name starts with ``ej_``); the numbers come from the
functions of the part's module, each computed from the chapter's own engine or from first
principles and tested against an independent reference (``tests/test_exercises.py``):

- :mod:`.neural`: part 2 (thesis §2.1–2.6) and the appendix (§6);
- :mod:`.gan`: part 3 (§3.1 and §3.3) and the page «Cómo se mide una GAN»;
- :mod:`.challenges`: chapter 3.2 (§3.2), with the steerable toy GAN's kept runs;
- :mod:`.practice`: part 4 (§4, §4.1, §4.2);
- :mod:`.conclusions`: the conclusions (§5).

A chapter whose exercises need no number (the introduction, a page without code) has no entry.
"""

from __future__ import annotations

from thesis_lib.report.exercises import challenges, conclusions, gan, neural, practice

# chapter stem -> the function computing its answers (keyword arguments: data the chapter
# already holds, e.g. ``mnist=``, so nothing is loaded twice).
CHAPTERS = {
    "02-0-antecedentes": neural.antecedentes_answers,
    "02-1-perceptron": neural.perceptron_answers,
    "02-2-redes-prealimentadas": neural.feedforward_answers,
    "02-3-entrenamiento": neural.training_answers,
    "02-4-regularizacion": neural.regularization_answers,
    "02-5-backpropagacion": neural.backpropagation_answers,
    "02-6-convolucion": neural.convolution_answers,
    "03-1-juego-gan": gan.game_answers,
    "03-2-desafios": challenges.challenges_answers,
    "03-3-0-medir-gan": gan.measuring_answers,
    "03-3-variantes": gan.variants_answers,
    "04-0-keras-mnist": practice.keras_mnist_answers,
    "04-1-clasificadores": practice.classifiers_answers,
    "04-2-dcgan": practice.dcgan_answers,
    "05-conclusiones": conclusions.conclusions_answers,
    "06-apendice-optimizacion": neural.optimization_answers,
}

PREFIX = "ej_"


def answers(chapter: str, **inputs) -> dict[str, str]:
    """The answers of ``chapter`` (its file name without extension), as Spanish texts keyed by
    glue name. ``inputs`` are passed on (only ``mnist=`` for now, chapter 04-0)."""
    if chapter not in CHAPTERS:
        raise ValueError(f"no exercise answers for {chapter!r}; chapters with answers: "
                         f"{', '.join(CHAPTERS)}.")
    texts = CHAPTERS[chapter](**inputs)
    wrong = [name for name in texts if not name.startswith(PREFIX)]
    if wrong:
        raise ValueError(f"glue names of exercise answers start with {PREFIX!r}: {wrong}.")
    return texts
