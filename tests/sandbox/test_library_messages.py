"""TensorFlow's and Keras's error messages lose the library's frames and keep their own words.

The messages are those TensorFlow 2 and Keras 3 raise, as captured from real calls (paths
shortened); :func:`describe_exception` runs the same cut in the worker.
"""

from __future__ import annotations

from pathlib import Path

from course.sandbox.worker import library_message

STUDENT = Path("/home/ada/week01_tensors.py")
KERAS = "/usr/lib/python3.11/site-packages/keras/src"

GRAPH_ERROR = (
    "Graph execution error:\n\n"
    "Detected at node compile_loss/sparse_categorical_crossentropy/SparseSoftmaxCrossEntropy"
    "WithLogits defined at (most recent call last):\n"
    '  File "/usr/lib/python3.11/threading.py", line 1002, in _bootstrap\n\n'
    f'  File "{STUDENT}", line 137, in build_house_price_model\n\n'
    f'  File "{KERAS}/backend/tensorflow/trainer.py", line 399, in fit\n\n'
    f'  File "{KERAS}/losses/losses.py", line 2359, in sparse_categorical_crossentropy\n\n'
    "Received a label value of 9 which is outside the valid range of [0, 1).  Label values: "
    "9 9 9 9 9 9\n"
    "\t [[{{node compile_loss/sparse_categorical_crossentropy/SparseSoftmaxCrossEntropyWith"
    "Logits}}]] [Op:__inference_multi_step_on_iterator_229]"
)
LAYER_ERROR = (
    "Exception encountered when calling Sequential.call().\n\n"
    "Input 0 with name 'None' of layer 'dense_1' is incompatible with the layer: expected axis "
    "-1 of input shape to have value 2, but received input with shape (3, 1)\n\n"
    "Arguments received by Sequential.call():\n"
    "  \u2022 inputs=tf.Tensor(shape=(3, 1), dtype=float32)\n"
    "  \u2022 training=None\n"
    "  \u2022 mask=None"
)
TRACED_ERROR = (
    "in user code:\n\n"
    f'    File "{STUDENT}", line 24, in step  *\n'
    "        return tf.reshape(x, (4, 2))\n"
    f'    File "{KERAS}/ops/numpy.py", line 5, in reshape  **\n'
    "        return backend.numpy.reshape(x, newshape)\n\n"
    "    ValueError: Cannot reshape a tensor with 6 elements to shape [4,2] (8 elements)\n"
)
EAGER_ERROR = (
    "{{function_node __wrapped__Reshape_device_/job:localhost/replica:0/task:0/device:CPU:0}} "
    "Input to reshape is a tensor with 6 values, but the requested shape has 8 [Op:Reshape]"
)


def test_a_graph_execution_error_keeps_the_librarys_one_line_cause() -> None:
    """Keras's 20 frames and the graph node go; the cause TensorFlow wrote stays."""
    message = library_message(
        GRAPH_ERROR,
        error_type="InvalidArgumentError",
        submission=STUDENT,
        seen={(137, "build_house_price_model")},
    )
    assert message == (
        "Received a label value of 9 which is outside the valid range of [0, 1).  Label "
        "values: 9 9 9 9 9 9"
    )


def test_a_keras_layer_error_names_the_layer_without_its_arguments() -> None:
    """Keras's "Exception encountered when calling" becomes the cause and the call."""
    message = library_message(LAYER_ERROR, error_type="ValueError", submission=STUDENT, seen=set())
    assert message.startswith("Input 0 with name 'None' of layer 'dense_1' is incompatible")
    assert message.endswith("received input with shape (3, 1) (in Sequential.call())")
    assert "Arguments received" not in message
    assert "\u2022" not in message


def test_a_traced_function_error_names_the_students_line_that_built_the_operation() -> None:
    """Inside a tf.function the traceback shows where the function was called; the line
    that built the failing operation comes from TensorFlow's listing, Keras's lines do not."""
    message = library_message(
        TRACED_ERROR, error_type="ValueError", submission=STUDENT, seen={(30, "train")}
    )
    assert message == (
        "Cannot reshape a tensor with 6 elements to shape [4,2] (8 elements)\n"
        "The failing operation was built at your line 24, in step: return tf.reshape(x, (4, 2))"
    )


def test_an_eager_op_error_loses_the_function_node_prefix() -> None:
    """The device path TensorFlow puts before an eager op's error goes."""
    message = library_message(
        EAGER_ERROR, error_type="InvalidArgumentError", submission=STUDENT, seen=set()
    )
    assert message == (
        "Input to reshape is a tensor with 6 values, but the requested shape has 8 [Op:Reshape]"
    )


def test_other_messages_are_left_as_they_are() -> None:
    """A student's own exception, frames and all, is not the library's to cut."""
    own = 'bad value\n  File "/elsewhere.py", line 3, in f'
    assert library_message(own, error_type="ValueError", submission=STUDENT, seen=set()) == own
