"""Pure documents (打印): dataclasses in, PDF bytes out (ReportLab); never Flask,
SQLAlchemy or supplychain.

documents.py (the dataclasses) · fonts.py (vendored CJK font, registered once) ·
styles.py (geometry, colours, paragraph/table styles) · layout.py (money and page-label
formatting, chunking, page x of y, build_pdf) · labels.py (render_bin_labels) ·
price_list.py (render_price_list).
"""
