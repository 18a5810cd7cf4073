"""Synthetic packing photos: marks and labels to specification, carton designs, scenes, sets."""
