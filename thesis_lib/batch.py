"""The old command path of :mod:`thesis_lib.studies.batch`, kept for one release.

``python -m thesis_lib.batch [--campaign]`` still works (a campaign started before the package's
relayout restarts itself with this command); new commands are ``python -m thesis_lib.studies.batch``.
"""

import sys

from thesis_lib.studies.batch import main

if __name__ == "__main__":
    sys.exit(main())
