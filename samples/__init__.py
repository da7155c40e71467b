"""Synthetic Amazon Custom zips (`zips/`) and the script that makes them."""
