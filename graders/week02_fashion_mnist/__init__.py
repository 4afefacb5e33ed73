"""Week 2's graders: classifying Fashion-MNIST with a dense network."""
