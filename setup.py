"""Build of the optional C helper for the PDF extractor (everything else is in pyproject.toml).

``optional=True``: without a C compiler the install still succeeds and the extractor runs its
Python code instead (the same results, slower).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "ingest.parsing.extract._pdfgeom",
            sources=[
                f"ingest/parsing/extract/_pdfgeom_src/{name}.c"
                for name in ("module", "common", "rulings", "parts", "words", "grid", "texts", "rows", "lines", "spans")
            ],
            depends=["ingest/parsing/extract/_pdfgeom_src/pdfgeom.h"],
            extra_compile_args=["-O2", "-fno-fast-math", "-ffp-contract=off"],
            optional=True,
        )
    ]
)
