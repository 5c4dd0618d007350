"""Models described in Spanish for the book (chapters 4.1 and 4.2)."""

import re

from thesis_lib.models import classifiers, dcgan
from thesis_lib.report import architecture as describe


def test_architecture_table_describes_every_layer_in_spanish():
    table = describe.architecture_frame(classifiers.cnn_classifier())
    assert list(table.columns) == ["capa", "salida por imagen", "parámetros"]
    assert table["capa"].iloc[0] == "convolución 3 × 3, 64 filtros, ReLU"
    assert table["salida por imagen"].iloc[0] == "26 × 26 × 64"
    assert "dropout 0,25" in set(table["capa"])
    assert table["capa"].iloc[-1] == "total"
    body = table["parámetros"].iloc[:-1]
    assert body.sum() == table["parámetros"].iloc[-1] == 280_010


def test_layer_table_counts_the_thesis_parameters():
    frame = describe.architecture_frame(dcgan.discriminator())
    assert frame["capa"].tolist()[:3] == ["convolución 3 × 3, 64 filtros, desplazamiento 2",
                                          "LeakyReLU, pendiente 0,2", "dropout 0,4"]
    assert frame["capa"].tolist()[-3:-1] == ["aplanado", "densa, 1 unidad, sigmoide"]
    assert frame["salida por imagen"].tolist()[0] == "14 × 14 × 64"
    assert frame.iloc[-1].tolist() == ["total", "", 40_705]
    generator = describe.architecture_frame(dcgan.generator())["capa"].tolist()
    assert generator[:4] == ["densa, 6272 unidades", "LeakyReLU, pendiente 0,2",
                             "reordenamiento en mapas",
                             "convolución traspuesta 4 × 4, 128 filtros, desplazamiento 2"]
    assert generator[-2] == "convolución 7 × 7, 1 filtro, sigmoide"
    variant = describe.architecture_frame(dcgan.generator(batch_norm=True, upsampling="upsample",
                                                      output="tanh"))["capa"].tolist()
    assert {"normalización por lotes", "ampliación × 2", "convolución 7 × 7, 1 filtro, tanh",
            "convolución 4 × 4, 128 filtros"} <= set(variant)
    # No Keras class name reaches the reader (chapter 4.1 names layers in Spanish too).
    assert not any(re.search(r"Conv2D|Dense|Flatten|Reshape|Dropout|Normalization|UpSampling",
                             name) for name in generator + variant)
    html = describe.architecture_table(dcgan.generator()).to_html()
    assert "1\u202f164\u202f289" in html and "633\u202f472" in html
