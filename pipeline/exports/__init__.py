"""Core (L2): the 汇总表, the review folder and the names and sheets they are made of."""
