"""进销存 stock control: warehouses, bins, the append-only ledger of moves, reserving."""
