"""`lib`: the thin package behind the book's chapters (data access, models, training, attribution).

Submodules are imported on demand (``from lib.book import config``); importing ``lib`` itself is cheap.
"""

import warnings

from lib import numerics

# Before anything loads numpy or torch: pick one CPU code path for every machine (lib.numerics).
numerics.pin_environment()

# captum and pooch import tqdm.auto, which warns (with a machine-local path) inside a notebook kernel that has
# no ipywidgets; the book shows no widgets, and progress bars are off outside a terminal anyway.
warnings.filterwarnings("ignore", message="IProgress not found")
