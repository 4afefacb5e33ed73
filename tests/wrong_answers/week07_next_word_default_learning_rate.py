"""Wrong answer: the next-word model is compiled with Adam's default learning rate.

``optimizer="adam"`` (learning rate 0.001) instead of ``Adam(learning_rate=0.01)``: in the
grader's 20 epochs the model reaches a training accuracy of about 0.08, not 0.80.

week: week07_sequences
fails: test_6_next_word_model.py::test_next_word_model_is_compiled
fails: test_6_next_word_model.py::test_next_word_model_learns_the_lines
"""

CHANGES = [
    (
        "        optimizer=keras.optimizers.Adam(learning_rate=0.01),\n",
        '        optimizer="adam",\n',
    ),
]
