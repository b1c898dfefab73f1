"""Strategy: the "10 ways" a PCC can unlock RJ, spend and the scorecard."""
