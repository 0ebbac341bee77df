"""Which template a program goes to, from its text alone."""

from __future__ import annotations

import pytest

from execbox.sandbox.template_choice import TemplateChooser, TemplateKind

CHOOSER = TemplateChooser(["numpy", "pandas", "scipy", "matplotlib", "PIL", "dateutil"])


@pytest.mark.parametrize(
    "code",
    [
        "import numpy as np\nprint(np.zeros(2))",
        "from pandas import DataFrame",
        "import matplotlib.pyplot as plt",
        "import os, scipy.stats",
        "if True:\n    from PIL import Image",
        "x = 1; import dateutil",
        "mod = __import__('pandas')",
        "# uses numpy later",
        "print('numpy')",
        "values = my.numpy.array",  # a word between dots: better a scientific child than a slow run
    ],
)
def test_a_program_naming_a_scientific_package_goes_to_the_scientific_template(code: str) -> None:
    assert CHOOSER.kind_for(code) is TemplateKind.SCIENTIFIC


@pytest.mark.parametrize(
    "code",
    [
        "print(1)",
        "import json, math, statistics\nprint(statistics.mean([1, 2]))",
        "numpy_like = [1, 2]\nmy_pandas = {}\nscipy2 = 3",  # other words, not the names
        "Numpy = 1",  # names are case-sensitive, as imports are
        "mod = __import__('pan' + 'das')",  # spelled at run time: imported then, in a plain child
        "",
    ],
)
def test_a_program_naming_none_goes_to_the_plain_template(code: str) -> None:
    assert CHOOSER.kind_for(code) is TemplateKind.PLAIN


def test_without_scientific_only_packages_every_program_is_plain() -> None:
    assert TemplateChooser([]).kind_for("import numpy") is TemplateKind.PLAIN


def test_names_are_matched_literally() -> None:
    chooser = TemplateChooser(["a.b"])
    assert chooser.kind_for("axb") is TemplateKind.PLAIN
    assert chooser.kind_for("a.b") is TemplateKind.SCIENTIFIC
