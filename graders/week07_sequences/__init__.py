"""Week 7's graders: sequence models for text, and generating text."""
