"""Configs: what each key may hold (schema), validation into a run spec, designs, composing."""
