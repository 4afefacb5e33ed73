"""Week 11's graders: custom training loops."""
