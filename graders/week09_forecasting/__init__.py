"""Week 9's graders: forecasting a time series with neural networks."""
