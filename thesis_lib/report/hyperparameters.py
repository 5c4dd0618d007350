"""Every chapter's hyperparameter table in Spanish: the names of the fields of
:mod:`thesis_lib.profiles` and of the values of its choices, and the table a chapter shows
instead of printing the dataclass."""

from __future__ import annotations

import dataclasses

from thesis_lib.formatting import num
from thesis_lib.formatting import table as format_table
from thesis_lib.profiles import MNIST_TEST_SIZE, MNIST_TRAIN_SIZE

# Spanish names of every hyperparameter, for the table each chapter shows instead of a repr.
LABELS = {
    "learning_rate": "tasa de aprendizaje",
    "initial_bias": "sesgo inicial b",
    "initial_weights": "pesos iniciales (w₁, w₂)",
    "max_epochs": "épocas como máximo",
    "epochs": "épocas",
    "batch_size": "tamaño de lote",
    "train_subset": "imágenes de entrenamiento",
    "test_subset": "imágenes de prueba",
    "seed": "semilla",
    "xor_seeds": "XOR: semillas",
    "xor_epochs": "XOR: épocas",
    "xor_learning_rate": "XOR: tasa de aprendizaje",
    "ua_widths": "aproximación universal: anchos",
    "n_train": "puntos de entrenamiento",
    "n_heldout": "puntos reservados (no se usan para ajustar)",
    "noise": "desvío del ruido alrededor de cada esquina",
    "iterations": "iteraciones del descenso por gradiente",
    "restarts": "inicializaciones (una semilla de los pesos cada una)",
    "ua_steps": "aproximación universal: pasos",
    "ua_learning_rate": "aproximación universal: tasa de aprendizaje",
    "latent_dim": "dimensión del espacio latente",
    "beta_1": "Adam: β₁",
    "monitor_every": "seguimiento cada (épocas)",
    "beta_2": "Adam: β₂",
    "optimizer": "optimizador",
    "loss": "función de pérdida",
    "critic_steps": "pasos de D por paso de G",
    "clip": "recorte de los pesos de D (c)",
    "gp_weight": "peso de la penalización del gradiente (λ)",
    "conditional": "generación condicionada a la clase",
    "precision": "precisión numérica",
    "metric_samples": "imágenes para las métricas finales",
    "metrics_every": "métricas cada (épocas)",
    "steps_per_epoch": "pasos de G por época",
    "seeds": "semillas por medición",
    "steps": "pasos de G por corrida",
    "datasets": "mezclas",
    "variants": "variantes por mezcla",
    "alg1_steps": "algoritmo 1: pasos de G",
    "dstar_seeds": "D óptimo: semillas",
    "dstar_steps": "D óptimo: pasos de D",
    "dstar_batch": "D óptimo: muestras reales por paso",
    "vanishing_d_steps": "gradiente de G: pasos de D medidos",
    "vanishing_g_steps": "gradiente de G: pasos previos de la GAN",
    "collapse_steps": "colapso de modo: pasos de G",
    "critic_2d_steps": "crítico en el plano: pasos de G",
    "walk_samples": "caminos del clasificador: puntos por par",
    "synthetic_samples": "puntos de cada generador sintético en el plano",
    "confident_samples": "imágenes generadas para buscar las más seguras del evaluador",
    "attribute_samples": "direcciones de atributos: muestras",
    "code_samples": "códigos de InfoGAN: muestras",
    "sizes": "imágenes etiquetadas N",
    "design": "diseño del experimento (versión)",
    "gan_epoch_steps": "GAN condicional: pasos de G por época",
    "gan_max_epochs": "GAN condicional: épocas como máximo",
    "gan_patience": "GAN condicional: épocas sin mejora antes de detenerse",
    "gan_min_delta": "GAN condicional: mejora mínima del acuerdo",
    "gan_batch": "GAN condicional: tamaño de lote",
    "gan_precision": "GAN condicional: precisión numérica",
    "classifier_steps": "CNN: pasos de entrenamiento",
    "classifier_batch": "CNN: imágenes reales por lote",
    "synthetic_per_batch": "muestras de la GAN sumadas a cada lote",
    "synthetic_pool": "muestras de la GAN por GAN",
    "shift_pixels": "aumento clásico: traslación máxima (píxeles)",
    "rotation_degrees": "aumento clásico: rotación máxima (grados)",
    "agreement_samples": "muestras para el acuerdo con el evaluador (cada época)",
}


# Spanish names of the values of the fields that hold a choice.
VALUE_NAMES = {
    "loss": {"minimax": "minimax (la de la tesis)", "non_saturating": "no saturante",
             "least_squares": "mínimos cuadrados (LSGAN)",
             "wasserstein_clip": "Wasserstein con recorte de pesos",
             "wasserstein_gp": "Wasserstein con penalización del gradiente"},
    "optimizer": {"adam": "Adam", "rmsprop": "RMSProp"},
    "datasets": {"ring": "anillo de 8", "grid": "cuadrícula de 25"},
    "precision": {"float32": "float32", "mixed_bfloat16": "mixta bfloat16",
                  "mixed_float16": "mixta float16"},
    "gan_precision": {"float32": "float32", "mixed_bfloat16": "mixta bfloat16",
                      "mixed_float16": "mixta float16"},
}


# Fields left out of the table when None (they apply to some losses only).
HIDDEN_WHEN_NONE = ("clip", "gp_weight", "metrics_every", "steps_per_epoch")


# What a None means for each field that allows it.
NONE_MEANS = {"train_subset": f"todas ({num(MNIST_TRAIN_SIZE)})",
              "test_subset": f"todas ({num(MNIST_TEST_SIZE)})"}


def table(config, profile: str):
    """The hyperparameters of ``config`` as a short Spanish table headed by the profile (what a
    chapter shows instead of printing the dataclass)."""
    import pandas as pd

    def show(name, value):
        if value is None:
            return NONE_MEANS.get(name, "—")
        if isinstance(value, tuple) and name == "variants":  # (mixture, names or None) pairs
            return "; ".join(f"{VALUE_NAMES['datasets'].get(d, d)}: "
                             f"{'todas' if names is None else ', '.join(names)}"
                             for d, names in value)
        if isinstance(value, tuple):
            return ", ".join(show(name, v) for v in value)
        if isinstance(value, bool):
            return "sí" if value else "no"
        if isinstance(value, str):
            return VALUE_NAMES.get(name, {}).get(value, value)
        return num(value)

    fields = [f for f in dataclasses.fields(config)
              if not (f.name in HIDDEN_WHEN_NONE and getattr(config, f.name) is None)]
    frame = pd.DataFrame({"parámetro": [LABELS[f.name] for f in fields],
                          f"perfil {profile}": [show(f.name, getattr(config, f.name))
                                                for f in fields]})
    return format_table(frame, index=False)
