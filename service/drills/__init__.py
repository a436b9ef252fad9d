"""The 25-minute drill (DESIGN.md Contract 4): choosing archetypes, grading outlines, the self-assessment."""
