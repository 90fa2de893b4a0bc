"""商品管理 catalogue: categories, products, units and case packs, price grades, suppliers."""
