"""Dashboard tab: satisfaction per week and per adapter version (pyqtgraph charts, built on first show)."""
