"""stardrive: a mock interviewer for the behavioral rounds of Staff-level AI engineering loops."""

__version__ = "0.1.0"
