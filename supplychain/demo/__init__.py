"""Demo distributor (演示数据): deterministic data for a health-products distributor in Hangzhou."""
