"""Write groqstream/types/decoders.py, the wire classes' decoders compiled with the package (see its docstring).

``python tools/generate_decoders.py`` writes it; ``--check`` only says whether it is current (exit 1 if not).
Run it after changing a wire class's fields; tests/test_generated.py fails until then.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's groqstream, not an installed one

import groqstream.types  # noqa: F401 - declares (and compiles) every wire class
from groqstream.types.wire import generated_decoders_source

TARGET = Path(__file__).resolve().parent.parent / "groqstream" / "_decoders.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is not current; write nothing")
    args = parser.parse_args()
    text = generated_decoders_source()
    current = TARGET.exists() and TARGET.read_text(encoding="utf-8") == text
    if args.check:
        print(f"{TARGET}: {'current' if current else 'STALE: run python tools/generate_decoders.py'}")
        return 0 if current else 1
    if not current:
        TARGET.write_text(text, encoding="utf-8")
    print(f"{TARGET}: {'unchanged' if current else 'written'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
