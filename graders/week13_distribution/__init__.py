"""Week 13's graders: training under tf.distribute.MirroredStrategy."""
