"""Right answer: registered custom classes, list outputs, Functional curve model, a Concatenate.

``HuberLoss`` and ``QuadraticLayer`` carry ``@keras.saving.register_keras_serializable``, so
``load_model`` is ``keras.saving.load_model(filepath)`` with no ``custom_objects`` and
``save_model`` calls ``keras.saving.save_model``. ``build_curve_model`` is Functional; the
two-head model returns its outputs as the list ``[value, is_positive]`` (losses and
metrics still dicts by name, as the docstring allows); ``WideAndDeepModel`` joins the input
and the deep path with a ``keras.layers.Concatenate`` layer made in ``__init__`` (no
weights of its own).

week: week10_custom_components
"""

CHANGES = [
    (
        "class HuberLoss(keras.losses.Loss):\n",
        '@keras.saving.register_keras_serializable(package="week10")\n'
        "class HuberLoss(keras.losses.Loss):\n",
    ),
    (
        "class QuadraticLayer(keras.layers.Layer):\n",
        '@keras.saving.register_keras_serializable(package="week10")\n'
        "class QuadraticLayer(keras.layers.Layer):\n",
    ),
    (
        "    model = keras.Sequential([keras.Input(shape=(1,)), QuadraticLayer(1)])\n",
        "    inputs = keras.Input(shape=(1,))\n"
        "    model = keras.Model(inputs, QuadraticLayer(1)(inputs))\n",
    ),
    (
        '    model = keras.Model(inputs, {"value": value, "is_positive": is_positive})\n',
        "    model = keras.Model(inputs, [value, is_positive])\n",
    ),
    (
        "        self.output_layer = keras.layers.Dense(1)\n",
        "        self.output_layer = keras.layers.Dense(1)\n"
        "        self.join = keras.layers.Concatenate(axis=-1)\n",
    ),
    (
        "        deep = self.hidden2(self.hidden1(inputs))\n"
        "        return self.output_layer(keras.layers.concatenate([inputs, deep]))\n",
        "        hidden = self.hidden1(inputs)\n"
        "        deep = self.hidden2(hidden)\n"
        "        return self.output_layer(self.join([inputs, deep]))\n",
    ),
    (
        "    model.save(filepath)\n",
        "    keras.saving.save_model(model, filepath)\n",
    ),
    (
        '    custom_objects = {"QuadraticLayer": QuadraticLayer, "HuberLoss": HuberLoss}\n'
        "    return keras.models.load_model(filepath, custom_objects=custom_objects)\n",
        "    return keras.saving.load_model(filepath)\n",
    ),
]
