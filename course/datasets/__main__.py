"""``python -m course.datasets``: place the Debian Fashion-MNIST files in the Keras cache."""

import sys

from course.datasets.fashion import main

sys.exit(main())
