"""Week 6's graders: text vectorisation and word embeddings."""
