"""商品管理 catalogue: categories, products, case packs, price grades, suppliers."""
