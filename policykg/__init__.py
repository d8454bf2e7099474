"""PolicyKG: a knowledge graph of Chinese industrial policy."""

__version__ = "0.1.0"
