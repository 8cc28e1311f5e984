#!/usr/bin/env python
"""Django's command-line utility for Campus."""

from __future__ import annotations

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    # The editable install already puts src/ on the path; this makes a bare checkout work too.
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campus.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
