"""Week 10's graders: custom losses, layers, metrics and models."""
