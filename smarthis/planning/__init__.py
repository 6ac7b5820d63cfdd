"""Capacity planning: patient-flow simulation of a hospital day (SimPy), Erlang C."""
