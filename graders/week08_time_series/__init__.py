"""Week 8's graders: time series and their baseline forecasts."""
