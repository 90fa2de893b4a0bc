"""Supply-chain and wholesale order management for a distributor (配送货企业).

The application factory lives in :mod:`supplychain.app`; it is not re-exported here so
that importing a feature module never drags in the whole app.
"""
