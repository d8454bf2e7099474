"""PolicyKG: a knowledge graph of Chinese industrial policy.

    >>> import policykg
    >>> kg = policykg.open()          # a build made by `policykg build`
    >>> kg.query("document-issuers", doc="doc/miit-2022-160").to_pandas()   # doctest: +SKIP

See docs/api.md.
"""

__version__ = "0.1.0"


def open(build_dir=None):   # noqa: A001
    """Open a built knowledge graph (`build_dir`, else $POLICYKG_BUILD, else ./build); see `policykg.api`."""
    from policykg.api import open as _open
    return _open(build_dir)


def build(build_dir=None, documents=None, **options):
    """Build into `build_dir` from kg/documents/ or the folders `documents`, and open it; see `policykg.api.build`."""
    from policykg.api import build as _build
    return _build(build_dir, documents, **options)


__all__ = ["open", "build", "__version__"]
