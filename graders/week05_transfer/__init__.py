"""Week 5's graders: transfer learning from the course's pretrained backbone."""
