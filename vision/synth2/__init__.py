"""Second, independent photo source (see artwork.py, camera.py, dataset.py)."""
