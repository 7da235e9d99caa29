import sys
from pathlib import Path

# The suite's helpers (vectors.py) sit beside the tests.
sys.path.insert(0, str(Path(__file__).resolve().parent))
