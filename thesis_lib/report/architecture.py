"""Models described for a Spanish reader: what ``model.summary()`` prints, as a table."""

from __future__ import annotations

from thesis_lib.formatting import num, table

ACTIVATION_NAMES = {"relu": "ReLU", "softmax": "softmax", "sigmoid": "sigmoide", "tanh": "tanh"}


def _activation(layer) -> str:
    name = getattr(getattr(layer, "activation", None), "__name__", "linear")
    return "" if name == "linear" else f", {ACTIVATION_NAMES.get(name, name)}"


def describe_layer(layer) -> str:
    """A layer of the book's classifiers (§4.1) or DCGAN (§4.2) in a few Spanish words:
    ``"densa, 128 unidades, ReLU"``,
    ``"convolución traspuesta 4 × 4, 128 filtros, desplazamiento 2"``."""
    kind = type(layer).__name__
    if kind in ("Conv2D", "Conv2DTranspose"):
        text = "convolución traspuesta" if kind == "Conv2DTranspose" else "convolución"
        text += " {} × {}, {} filtro{}".format(*layer.kernel_size, layer.filters,
                                               "" if layer.filters == 1 else "s")
        if tuple(layer.strides) != (1, 1):
            text += f", desplazamiento {layer.strides[0]}"
        return text + _activation(layer)
    if kind == "Dense":
        return (f"densa, {num(layer.units)} unidad{'' if layer.units == 1 else 'es'}"
                + _activation(layer))
    return {
        "MaxPooling2D": lambda: "max-pooling {} × {}".format(*layer.pool_size),
        "Flatten": lambda: "aplanado",
        "Dropout": lambda: f"dropout {num(layer.rate)}",
        "LeakyReLU": lambda: f"LeakyReLU, pendiente {num(float(layer.negative_slope))}",
        "Reshape": lambda: "reordenamiento en mapas",
        "BatchNormalization": lambda: "normalización por lotes",
        "UpSampling2D": lambda: "ampliación × {}".format(layer.size[0]),
    }.get(kind, lambda: kind)()


def architecture_frame(model):
    """Each layer in Spanish words, its output per image (without the batch dimension) and
    its parameters, with a final total row (a DataFrame)."""
    import pandas as pd
    rows = [{"capa": describe_layer(layer),
             "salida por imagen": " × ".join(str(d) for d in layer.output.shape[1:]),
             "parámetros": int(layer.count_params())} for layer in model.layers]
    rows.append({"capa": "total", "salida por imagen": "",
                 "parámetros": int(model.count_params())})
    return pd.DataFrame(rows)


def architecture_table(model):
    """:func:`architecture_frame` as the book shows it (a Styler, numbers the Spanish way)."""
    return table(architecture_frame(model), index=False)
