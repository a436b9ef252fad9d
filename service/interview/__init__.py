"""The interview as pure logic: which archetypes, which move next, how the builtin interviewer words it."""
