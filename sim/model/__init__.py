"""The model: the compiled monthly step, state, hazards, the SimPy calendar, scenarios, policies, the engine."""
