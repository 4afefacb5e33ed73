"""Wrong answer: ``QuadraticLayer`` creates its weights in ``__init__`` for one input.

The weights are made with ``input_dim = 1`` when the layer is created, before any input
is seen, and ``build`` makes nothing: the layer works for the one-feature curve model but
not for inputs of any other width.

week: week10_custom_components
fails: test_3_quadratic_layer.py::test_quadratic_layer_weights_after_build
fails: test_3_quadratic_layer.py::test_quadratic_layer_output
"""

CHANGES = [
    (
        "        self.units = units\n\n    def build(",
        "        self.units = units\n"
        "        input_dim = 1\n"
        '        self.a = self.add_weight(name="a", shape=(input_dim, units), initializer="random_normal")\n'
        '        self.b = self.add_weight(name="b", shape=(input_dim, units), initializer="random_normal")\n'
        '        self.c = self.add_weight(name="c", shape=(units,), initializer="zeros")\n'
        "\n    def build(",
    ),
    (
        "        input_dim = int(input_shape[-1])\n"
        "        self.a = self.add_weight(\n"
        '            name="a", shape=(input_dim, self.units), initializer="random_normal"\n'
        "        )\n"
        "        self.b = self.add_weight(\n"
        '            name="b", shape=(input_dim, self.units), initializer="random_normal"\n'
        "        )\n"
        '        self.c = self.add_weight(name="c", shape=(self.units,), initializer="zeros")\n',
        "        pass\n",
    ),
]
