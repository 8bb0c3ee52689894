"""Settings for the whole test session (the only module pytest loads before every test file)."""

from __future__ import annotations

import groqstream.tools

# A CaptureServer's close() waits for its serving thread to look at the stop flag, once per poll_interval:
# at the default 50 ms that was ~50 ms at the end of each of the ~150 servers the suite starts. At 5 ms the
# thread wakes 200 times a second while serving, which a test does not notice; nothing else changes.
groqstream.tools.CaptureServer.poll_interval = 0.005
