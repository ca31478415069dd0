"""The historical record: dated events and yearly indicators in data/, loaded and checked row by row."""
