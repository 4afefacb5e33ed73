"""Week 12's graders: the Transformer encoder and its parts."""
