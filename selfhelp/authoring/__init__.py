"""The authoring kit: importing articles, drift, graph export, flow tests and their pytest plugin."""
