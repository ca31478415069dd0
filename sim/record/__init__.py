"""The historical record: events and indicators with their sources, and how the model is tied to them."""
