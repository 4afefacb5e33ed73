"""Week 3's graders: callbacks that watch, stop, save and schedule training."""
