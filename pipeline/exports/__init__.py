"""L2, the 汇总表 and the review folder; may import parsers, rules and the store."""
