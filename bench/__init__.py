"""`make bench`: the corpus, the floor and the measurements; may import the product, never tests."""
