"""Inference on the record: the observation model and the particle filter that condition the model on what happened."""
