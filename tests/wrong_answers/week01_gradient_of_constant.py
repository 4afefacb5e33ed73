"""Wrong answer: polynomial_gradient forgets tape.watch on a constant tensor.

week: week01_tensors
fails: test_2_gradients.py::test_polynomial_gradient_at_a_number
fails: test_2_gradients.py::test_polynomial_gradient_elementwise
"""

CHANGES = [
    (
        "        tape.watch(x)\n",
        "",
    ),
]
