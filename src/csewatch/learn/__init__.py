"""Learned models: a leaf of hashed linear text models (linear) and the training job (train)."""
