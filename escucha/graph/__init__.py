"""Who leads: interaction graphs, influence, communities and bridges, overperforming posts."""
