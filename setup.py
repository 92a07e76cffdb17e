"""Only the Extension list; pure Python when FASTSIGNALS_NO_EXTENSIONS is set or no compiler works."""

import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py
from setuptools.errors import CCompilerError


class optional_build_ext(build_ext):
    """Build the extension if possible; otherwise say so in one line and ship the pure twin."""

    def run(self):
        try:
            super().run()
        except Exception as err:
            self._notice(err)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as err:
            self._notice(err)

    def _notice(self, err):
        # The compiler has already printed its command and errors; the exception repeats them.
        reason = "the C compiler failed" if isinstance(err, CCompilerError) else f"{type(err).__name__}: {err}"
        print(f"fastsignals: compiled engine not built ({reason}); installing the pure-Python engine.", file=sys.stderr)


class pure_build_py(build_py):
    """With FASTSIGNALS_NO_EXTENSIONS set: say so once, when the package is built."""

    def run(self):
        print("fastsignals: FASTSIGNALS_NO_EXTENSIONS is set; installing the pure-Python engine.", file=sys.stderr)
        super().run()


if os.environ.get("FASTSIGNALS_NO_EXTENSIONS"):
    setup(cmdclass={"build_py": pure_build_py})
else:
    from Cython.Build import cythonize

    ext_modules = cythonize(
        "src/fastsignals/_signal_c.pyx",
        compiler_directives={"language_level": "3"},
    )
    setup(ext_modules=ext_modules, cmdclass={"build_ext": optional_build_ext})
